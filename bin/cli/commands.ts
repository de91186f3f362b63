/**
 * Operator commands until the REST API exists: register chargers and id tokens, inspect what chargers
 * sent. Each command is a call into shared/, the same functions the REST API will use.
 */
import type { Deps } from '#shared/deps.ts';
import { PROTOCOL_PREFERENCE, type OcppProtocol } from '#shared/ocpp/frames.ts';
import {
  REGISTRATION_STATUSES,
  createCharger,
  setRegistration,
  type ConnectionCloser,
  type RegistrationStatus,
} from '#shared/charger/registry.ts';
import { createEnrolmentCode } from '#shared/charger/auto-registration.ts';
import { authorizationKeyOf } from '#shared/charger/credentials.ts';
import { REPORT_KINDS, type ReportKind } from '#shared/charger/report.ts';
import { reportOf } from '#shared/charger/charger-api.ts';
import { importChargers, ImportFormatError, parseImport } from '#shared/charger/charger-import.ts';
import { readFile } from 'node:fs/promises';
import { NewIdTokenSchema, addIdToken } from '#shared/token/id-token-admin.ts';
import { configurationOf } from '#shared/charger/reported-state-api.ts';
import { redactCommand } from '#shared/command/command-view.ts';
import { changeChargerPassword } from '#shared/command/charger-password.ts';
import { cancelCommand, getCommand, listChargerCommands, MAX_WAIT_SECONDS, submitCommand } from '#shared/command/commands.ts';
import type { CommandQueue } from '#shared/command/ports.ts';
import type { Outcome } from '#shared/api/outcome.ts';
import { closeTransaction, listStaleTransactions } from '#shared/transaction/stale-transactions.ts';
import { parseChargerSettings } from '#functions/_common/env.ts';
import { assignListToken, listTokenView, unassignListToken, type ListOwner } from '#shared/local-list/list-tokens.ts';
import { getLocalList } from '#shared/local-list/local-list-api.ts';
import { syncLocalList } from '#shared/local-list/local-list-sync.ts';
import { DEFAULT_ID_TOKEN_TYPE } from '#shared/token/id-token-admin.ts';

export type Options = Record<string, string | boolean | undefined>;

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CommandOutput {
  /** Printed as JSON. */
  result: unknown;
  /** A line for people, printed before the JSON (e.g. the one-time password). */
  note?: string;
  /** Printed as is instead of `result` (e.g. a token for `$(...)` in scripts). */
  text?: string;
}

/**
 * What a command may reach besides the tables: the running charger API's @connections, to close a connection; the
 * command queue, to send OCPP commands (only where a runtime runs, or with --aws).
 */
export interface CommandContext {
  closer?: ConnectionCloser;
  commandQueue?: CommandQueue;
}

export type Command = (deps: Deps, args: string[], options: Options, context: CommandContext) => Promise<CommandOutput>;

/** The id as registered (ids are case-insensitive; records are kept under the registered case). */
const registeredId = async (deps: Deps, id: string | undefined): Promise<string> => {
  const chargerId = need(id, 'charger id');
  return (await deps.stores.chargers.get(chargerId))?.chargerId ?? chargerId;
};

const closedNote = (closed: string | undefined) => (closed ? ` Its live connection ${closed} was closed.` : '');
/** For a 1.6 charger set up through its AuthorizationKey, which holds the password as hex digits. */
const asAuthorizationKey = (password: string) => ` (as a 1.6 AuthorizationKey: ${authorizationKeyOf(password)})`;

export const need = (value: string | undefined, what: string): string => {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
};

export const str = (options: Options, name: string): string | undefined => {
  const v = options[name];
  return typeof v === 'string' ? v : undefined;
};

const status = (value: string | undefined): RegistrationStatus | undefined => {
  if (value === undefined) return undefined;
  if (!REGISTRATION_STATUSES.includes(value as RegistrationStatus)) {
    throw new UsageError(`--status must be one of ${REGISTRATION_STATUSES.join(', ')}`);
  }
  return value as RegistrationStatus;
};

const reportKind = (value: string | undefined): ReportKind => {
  if (value === undefined) return 'deviceModel';
  if (!REPORT_KINDS.includes(value as ReportKind)) throw new UsageError(`--kind must be one of ${REPORT_KINDS.join(', ')}`);
  return value as ReportKind;
};

const iso = (value: string | undefined, what: string): string | undefined => {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`${what} must be an ISO 8601 date-time, got "${value}"`);
  return new Date(ms).toISOString();
};

const found = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new UsageError(`${what} not found`);
  return value;
};

const chargerAdd: Command = async (deps, [id], o) => {
  const protocol = str(o, 'default-protocol') as OcppProtocol | undefined;
  if (protocol !== undefined && !PROTOCOL_PREFERENCE.includes(protocol)) throw new UsageError('--default-protocol must be ocpp1.6, ocpp2.0.1 or ocpp2.1');
  const profile = str(o, 'security-profile');
  if (profile !== undefined && profile !== '1' && profile !== '2') throw new UsageError('--security-profile must be 1 or 2');
  const created = await createCharger(deps, {
    chargerId: need(id, 'charger id'),
    ...(status(str(o, 'status')) ? { registrationStatus: status(str(o, 'status')) } : {}),
    ...(str(o, 'location') ? { locationId: str(o, 'location') } : {}),
    ...(protocol ? { defaultProtocol: protocol } : {}),
    ...(profile ? { securityProfile: Number(profile) as 1 | 2 } : {}),
  });
  if (!created.created) {
    throw new UsageError(
      created.reason === 'exists'
        ? `charger ${id} already exists (rotate its password with: charger password ${id})`
        : created.reason === 'no-location'
          ? `location ${str(o, 'location')} does not exist (create it first: POST /locations)`
          : `"${id}" is not a valid charger id: 1-48 characters of a-z A-Z 0-9 * - _ = : + | @ .`,
    );
  }
  return {
    result: created.profile,
    note: `Charger ${id} registered. Its password (shown once, store it in the charger): ${created.password}${asAuthorizationKey(created.password)}`,
  };
};

/**
 * Registers the chargers of a CSV (header id,password,locationId,...) or JSON file, with the function the REST
 * import uses; a re-run reports existing chargers as `exists` and leaves them as they are.
 */
const chargerImport: Command = async (deps, [file]) => {
  const path = need(file, 'file (CSV with a header row, or a JSON list)');
  const text = await readFile(path, 'utf8').catch(() => {
    throw new UsageError(`cannot read ${path}`);
  });
  let rows: unknown[];
  try {
    rows = parseImport(text, /\.csv$/i.test(path) ? 'text/csv' : 'application/json');
  } catch (error) {
    if (error instanceof ImportFormatError) throw new UsageError(error.message);
    throw error;
  }
  const report = await importChargers(deps, rows, 'cli');
  const count = (s: string) => report.filter((r) => r.status === s).length;
  return {
    result: report,
    note: `${count('created')} created, ${count('exists')} already registered (unchanged), ${count('invalid')} invalid. Generated passwords are in the report (shown once).`,
  };
};

const chargerShow: Command = async (deps, [id]) => {
  const chargerId = await registeredId(deps, id);
  const { stores } = deps;
  const [profile, presence, connectors, seen] = await Promise.all([
    stores.chargers.get(chargerId),
    stores.presence.get(chargerId),
    stores.connectors.list(chargerId),
    stores.messageLog.lastSeen(chargerId),
  ]);
  return {
    result: {
      ...found(profile, `charger ${chargerId}`),
      presence: { ...(presence ?? { connected: false }), ...(seen ? { lastSeenAt: seen } : {}) },
      connectors,
    },
  };
};

/** Accepting replaces the password (printed once); any change closes the live connection. */
const setStatus =
  (to: RegistrationStatus): Command =>
  async (deps, [id], _o, { closer }) => {
    const change = await setRegistration(deps, need(id, 'charger id'), to, { closer });
    if (change === 'not-found') throw new UsageError(`charger ${id} not found`);
    // The CLI may receive passwords, so the only other refusal is a decision that raced this one.
    if (typeof change === 'string') throw new UsageError(`charger ${id}: its registration changed meanwhile; check it and try again`);
    const chargerId = change.profile.chargerId;
    const password = change.password
      ? ` Its new password (shown once, store it in the charger; the one it used until now no longer works): ${change.password}${asAuthorizationKey(change.password)}.`
      : '';
    return { result: change.profile, note: `Charger ${chargerId} is ${to}.${password}${closedNote(change.closedConnectionId)}` };
  };

/**
 * `charger password <id> [--revoke]`: as POST /chargers/{id}/password. A charger that has spoken OCPP is sent the new
 * password by command (a running runtime's queue); `--revoke`, or a charger that never connected, replaces it at once.
 */
const chargerPassword: Command = async (deps, [id], o, { closer, commandQueue }) => {
  const queue: CommandQueue = commandQueue ?? {
    enqueue: () => {
      throw new UsageError('no command queue: a charger in service gets its password by command through a running `npm start`; --revoke replaces it at once');
    },
  };
  const change = valueOf(await changeChargerPassword({ ...deps, queue, ...(closer ? { closer } : {}) }, { chargerId: need(id, 'charger id'), requestedBy: 'cli', revoke: o.revoke === true }));
  if (change.by === 'command') {
    const { command } = change;
    return {
      result: redactCommand(command),
      note:
        `New password for ${command.chargerId} (shown once): ${change.password}. It goes to the charger by command ${command.commandId} ` +
        '(follow it with: command show); the old one works until the charger connects with the new one.',
    };
  }
  return {
    result: { chargerId: id },
    note: `New password for ${id} (shown once): ${change.password}${asAuthorizationKey(change.password)}. The old one no longer works.${closedNote(change.closedConnectionId)}`,
  };
};

const enrolmentAdd: Command = async (deps, _args, o) => {
  const hours = numberOption(o, 'hours', 24);
  const { code, record } = await createEnrolmentCode(deps, hours, str(o, 'label'));
  return {
    result: { ...record, expiresAt: new Date(record.expiresAt * 1000).toISOString() },
    note:
      `Enrolment code (shown once, valid once, until ${new Date(record.expiresAt * 1000).toISOString()}): ${code}${asAuthorizationKey(code)}\n` +
      'Configure it as the Basic password of the new charger; with auto-registration on, it registers as pending.',
  };
};

/** A comma-separated option as a list (`--chargers CP-1,CP-2`). */
const listOption = (o: Options, name: string): string[] | undefined =>
  str(o, name)
    ?.split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** Only the fields given: a new token is checked by the schema the REST API checks it with. */
const given = (fields: Record<string, unknown>) => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));

const tokenAdd: Command = async (deps, [value], o) => {
  const cacheLifetime = str(o, 'cache-lifetime');
  const message = str(o, 'message');
  const parsed = NewIdTokenSchema.safeParse(
    given({
      value: need(value, 'token value'),
      type: str(o, 'type'),
      status: o.blocked === true ? 'blocked' : undefined,
      validUntil: iso(str(o, 'expires'), '--expires'),
      groupId: str(o, 'group'),
      masterPass: o['master-pass'] === true ? true : undefined,
      allowedChargers: listOption(o, 'chargers'),
      allowedLocations: listOption(o, 'locations'),
      cacheLifetimeSeconds: cacheLifetime === undefined ? undefined : Number(cacheLifetime),
      personalMessage:
        message === undefined ? undefined : given({ format: str(o, 'message-format') ?? 'UTF8', language: str(o, 'message-language'), content: message }),
      label: str(o, 'label'),
      owner: str(o, 'owner'),
      maxConcurrentTransactions: str(o, 'max-concurrent'),
    }),
  );
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.') || 'token'}: ${i.message}`).join('; '));
  return { result: valueOf(await addIdToken(deps, parsed.data, 'cli')) };
};

const tokenBlock =
  (blocked: boolean): Command =>
  async (deps, [value], o) => {
    const type = str(o, 'type') ?? 'ISO14443';
    const changed = await deps.stores.idTokens.setBlocked(need(value, 'token value'), type, blocked);
    if (!changed) throw new UsageError(`token ${value} of type ${type} not found (name another with --type)`);
    return { result: { value, type, blocked } };
  };

export const numberOption = (o: Options, name: string, fallback: number): number => {
  const raw = str(o, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer`);
  return n;
};

/** A domain outcome's value, or its failure as a usage error (printed, exit code 2). */
export const valueOf = <T>(outcome: Outcome<T>): T => {
  if (!outcome.ok) throw new UsageError(outcome.detail);
  return outcome.value;
};

const payloadArg = (raw: string | undefined): unknown => {
  if (raw === undefined) return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new UsageError(`the payload is not JSON: ${raw}`);
  }
};

/** `command send <chargerId> <action> [payload] [--wait] [--timeout n]`: as POST /chargers/{id}/commands. */
const commandSend: Command = async (deps, [id, action, payload], o, context) => {
  if (!context.commandQueue) throw new UsageError('no command queue: commands go through a running `npm start` (or --aws with COMMANDS_QUEUE_URL set)');
  const timeout = str(o, 'timeout');
  const queued = valueOf(
    await submitCommand(
      { ...deps, queue: context.commandQueue },
      {
        chargerId: need(id, 'charger id'),
        action: need(action, 'action'),
        payload: payloadArg(payload),
        ...(timeout !== undefined ? { timeoutSeconds: numberOption(o, 'timeout', 30) } : {}),
        requestedBy: 'cli',
      },
    ),
  );
  if (o.wait !== true) return { result: redactCommand(queued), note: `queued ${queued.commandId}` };
  return { result: redactCommand(await untilEnded(deps, queued.commandId)) };
};

/** The command once it ended: longer than one long poll, as it may wait for the charger's previous one first. */
const untilEnded = async (deps: Deps, commandId: string) => {
  for (;;) {
    const command = valueOf(await getCommand(deps, commandId, MAX_WAIT_SECONDS));
    if (!['queued', 'sent'].includes(command.status)) return command;
  }
};

/** `locallist add|remove (<chargerId> | --location <id>) <value> [--type <type>]`: whose list, and which token. */
const listTokenArgs = (args: string[], o: Options): { owner: ListOwner; token: { type: string; value: string } } => {
  const location = str(o, 'location');
  const [id, value] = location !== undefined ? [location, args[0]] : [args[0], args[1]];
  return {
    owner: { kind: location !== undefined ? 'location' : 'charger', id: need(id, 'charger id (or --location <id>)') },
    token: { type: str(o, 'type') ?? DEFAULT_ID_TOKEN_TYPE, value: need(value, 'token value') },
  };
};

/** The version a GetLocalListVersion answer told, once its effect (run after the answer is recorded) wrote it. */
const versionToldBy = async (deps: Deps, chargerId: string, commandId: string): Promise<void> => {
  for (let tries = 0; tries < 50; tries++) {
    if ((await deps.stores.localLists.read(chargerId)).version?.commandId === commandId) return;
    await new Promise((r) => setTimeout(r, 100));
  }
};

/**
 * `locallist sync <chargerId> [--full] [--check] [--wait]`: as POST /chargers/{id}/local-list:sync. `--check` asks the
 * charger its list version first (GetLocalListVersion), so a list changed elsewhere gets a Full update.
 */
const localListSync: Command = async (deps, [id], o, { commandQueue }) => {
  if (!commandQueue) throw new UsageError('no command queue: a sync sends commands through a running `npm start` (or --aws with COMMANDS_QUEUE_URL set)');
  const queued = { ...deps, queue: commandQueue };
  const profile = found(await deps.stores.chargers.get(need(id, 'charger id')), `charger ${id}`);
  if (o.check === true) {
    const asked = valueOf(await submitCommand(queued, { chargerId: profile.chargerId, action: 'GetLocalListVersion', payload: {}, requestedBy: 'cli' }));
    const told = await untilEnded(deps, asked.commandId);
    if (told.status !== 'answered') throw new UsageError(`GetLocalListVersion ended ${told.status}: ${JSON.stringify(told.failure ?? {})}`);
    await versionToldBy(deps, profile.chargerId, told.commandId);
  }
  const sync = valueOf(await syncLocalList(queued, { chargerId: profile.chargerId, full: o.full === true, requestedBy: 'cli' }));
  if (sync.upToDate) return { result: sync, note: `the local list of ${profile.chargerId} is up to date` };
  if (o.wait !== true) return { result: sync, note: `queued ${sync.commands.map((c) => c.commandId).join(', ')}` };
  const ended = [];
  for (const c of sync.commands) ended.push(redactCommand(await untilEnded(deps, c.commandId)));
  return { result: { ...sync, ended } };
};

const localListCommands: Record<string, Command> = {
  add: async (deps, args, o) => {
    const { owner, token } = listTokenArgs(args, o);
    const out = valueOf(await assignListToken(deps, owner, token, 'cli'));
    return { result: out.token, note: out.created ? `on the list of ${owner.kind} ${owner.id}; a sync sends it` : `already on the list of ${owner.kind} ${owner.id}` };
  },
  remove: async (deps, args, o) => {
    const { owner, token } = listTokenArgs(args, o);
    valueOf(await unassignListToken(deps, owner, token));
    return { result: { ...token, removedFrom: owner }, note: 'taken off the list; a sync removes it from the charger' };
  },
  show: async (deps, [id], o) => {
    const location = str(o, 'location');
    if (location !== undefined) return { result: { locationId: location, tokens: (await deps.stores.listTokens.all({ kind: 'location', locationId: location })).map(listTokenView) } };
    const profile = found(await deps.stores.chargers.get(need(id, 'charger id')), `charger ${id}`);
    const [held, own, atLocation] = await Promise.all([
      getLocalList(deps, profile.chargerId),
      deps.stores.listTokens.all({ kind: 'charger', chargerId: profile.chargerId }),
      profile.locationId === undefined ? [] : deps.stores.listTokens.all({ kind: 'location', locationId: profile.locationId }),
    ]);
    return { result: { held: valueOf(held), tokens: own.map(listTokenView), locationTokens: atLocation.map(listTokenView) } };
  },
  sync: localListSync,
};

const transactionCommands: Record<string, Command> = {
  list: async (deps, [id], o) => ({ result: await deps.stores.transactions.listOfCharger(await registeredId(deps, id), { limit: numberOption(o, 'limit', 50) }) }),
  show: async (deps, [id, txId]) => {
    const chargerId = await registeredId(deps, id);
    const transactionId = need(txId, 'transaction id');
    const tx = found(await deps.stores.transactions.get(chargerId, transactionId), `transaction ${transactionId}`);
    return { result: { ...tx, meterValues: await deps.stores.meterValues.listOfTransaction(chargerId, transactionId) } };
  },
  /** As GET /transactions?state=stale: the live window from LIVE_TRANSACTION_WINDOW_MINUTES, else its default. */
  stale: async (deps, _args, o) => ({
    result: await listStaleTransactions(deps, { limit: numberOption(o, 'limit', 50) }, parseChargerSettings(process.env).LIVE_TRANSACTION_WINDOW_MINUTES * 60_000),
  }),
  /** As POST /transactions/{chargerId}/{transactionId}/close, by `cli`. */
  close: async (deps, [id, txId], o) => ({
    result: valueOf(await closeTransaction(deps, await registeredId(deps, id), need(txId, 'transaction id'), need(str(o, 'reason'), '--reason'), 'cli')),
  }),
};

export const commands: Record<string, Record<string, Command>> = {
  command: {
    send: commandSend,
    show: async (deps, [commandId], o) => ({
      result: redactCommand(valueOf(await getCommand(deps, need(commandId, 'command id'), o.wait === true ? MAX_WAIT_SECONDS : 0))),
    }),
    list: async (deps, [id], o) => {
      const page = valueOf(await listChargerCommands(deps, need(id, 'charger id'), { limit: numberOption(o, 'limit', 50) }));
      return { result: { ...page, items: page.items.map(redactCommand) } };
    },
    cancel: async (deps, [commandId]) => ({ result: redactCommand(valueOf(await cancelCommand(deps, need(commandId, 'command id'), 'cli'))) }),
  },
  charger: {
    add: chargerAdd,
    import: chargerImport,
    list: async (deps, _args, o) => ({ result: await deps.stores.chargers.list({ ...(str(o, 'location') ? { locationId: str(o, 'location') } : {}) }) }),
    show: chargerShow,
    accept: setStatus('accepted'),
    reject: setStatus('rejected'),
    pending: setStatus('pending'),
    password: chargerPassword,
    'migrate-ids': async (deps) => {
      const report = await deps.stores.chargerIdMigration.run();
      const left = report.conflicts.length;
      return {
        result: report,
        note:
          `${report.moved} profiles moved to their lower-case key, ${report.hashesMoved} password hashes moved to their own item` +
          (left ? `; ${left} left: another charger whose id differs only in case holds their key (delete one)` : '') +
          (report.busy ? `; ${report.busy} kept changing while moved: run it again` : ''),
      };
    },
    status: async (deps, [id, evse, connector], o) => ({
      result: await deps.stores.connectors.history(
        await registeredId(deps, id),
        { evseId: Number(evse ?? 1), connectorId: Number(connector ?? 1) },
        { limit: numberOption(o, 'limit', 50), newestFirst: true },
      ),
    }),
    timeline: async (deps, [id], o) => ({ result: await deps.stores.timeline.list(await registeredId(deps, id), { limit: numberOption(o, 'limit', 50) }) }),
    // As GET /chargers/{id}/reports/{requestId} answers it: an unknown charger or a report with no page is an error.
    report: async (deps, [id, requestId], o) => {
      const n = Number(need(requestId, 'request id'));
      if (!Number.isSafeInteger(n)) throw new UsageError(`request id must be an integer, got "${requestId}"`);
      return { result: valueOf(await reportOf(deps, need(id, 'charger id'), reportKind(str(o, 'kind')), n)) };
    },
    log: async (deps, [id], o) => ({
      result: await deps.stores.messageLog.list(await registeredId(deps, id), { limit: numberOption(o, 'limit', 50), newestFirst: true }),
    }),
    config: async (deps, [id], o) => ({ result: valueOf(await configurationOf(deps, need(id, 'charger id'), { limit: numberOption(o, 'limit', 500) })) }),
  },
  enrolment: {
    add: enrolmentAdd,
  },
  token: {
    add: tokenAdd,
    list: async (deps, _args, o) => ({ result: await deps.stores.idTokens.list({ ...(str(o, 'group') ? { groupId: str(o, 'group') } : {}) }) }),
    block: tokenBlock(true),
    unblock: tokenBlock(false),
    'migrate-case': async (deps) => {
      const report = await deps.stores.tokenCaseMigration.run();
      const left = report.conflicts.length;
      return {
        result: report,
        note:
          `${report.moved} items moved to their keys, ${report.reindexed} re-indexed, ${report.merged} folded into the item at their key` +
          (left ? `; ${left} id tokens left: a case variant of the same token and type holds their key (merge or delete one)` : '') +
          (report.busy ? `; ${report.busy} kept changing while moved: run it again` : ''),
      };
    },
  },
  locallist: localListCommands,
  tx: transactionCommands,
  transaction: transactionCommands,
};

export const usage = `Usage: npm run cli -- <group> <command> [args] [--options]

  charger add <id> [--status accepted|pending|rejected] [--location <id>]
                   [--default-protocol ocpp1.6|ocpp2.0.1|ocpp2.1] [--security-profile 1|2]
  charger import <file.csv|file.json>     register many (header id,password,locationId,securityProfile,
                   defaultProtocol,registrationStatus,label,description); a re-run leaves existing ones unchanged
  charger list [--location <id>]          charger show <id>
  charger accept|reject|pending <id>      charger password <id> [--revoke]   (prints the new one; sent by command, or --revoke: at once)
      accept also replaces the password (printed once); accept, reject, pending and password --revoke
      close the charger's live connection. Ids are case-insensitive (CP-1 is cp-1).
  charger migrate-ids                     once, after updating a table written before ids were case-insensitive
  enrolment add [--hours n] [--label <text>]   a one-time code a charger presents as its password to
      auto-register (pending); default valid 24 hours
  charger status <id> [<evse> <connector>] [--limit n]     status history, newest first
  charger timeline <id> [--limit n]       firmware/diagnostics/log status, security events, DataTransfer, reservations
  charger report <id> <requestId> [--kind deviceModel|monitoring|customerInformation|displayMessages|chargingProfiles]
      a 2.x report assembled from its pages (default deviceModel: NotifyReport)
  charger log <id> [--limit n]            the OCPP message log, newest first
  charger config <id> [--limit n]         its settings, as GetConfiguration / GetVariables answers and the
      ChangeConfiguration / SetVariables it took told them (default limit 500); passwords masked
  token add <value> [--type ISO14443|eMAID|Central|...] [--expires <iso>] [--group <parent>] [--label <text>] [--blocked]
                   [--owner <text>] [--master-pass] [--chargers <id,id>] [--locations <id,id>] [--cache-lifetime <s>]
                   [--message <text> [--message-format UTF8|ASCII|HTML|URI] [--message-language <tag>]]
                   [--max-concurrent <n>|unlimited]   transactions at once (default 1)
      --master-pass needs --group (the chargers' AuthCtrlr.MasterPassGroupId); --chargers / --locations: used only
      there (elsewhere 2.x NotAtThisLocation, 1.6 Invalid); the same checks as POST /id-tokens
  token list [--group <parent>]           token block|unblock <value> [--type <type>]   (default type ISO14443)
  token migrate-case                      once, after updating a table written before token values were case-insensitive
  transaction list <chargerId> [--limit n]   transaction show <chargerId> <transactionId>   (with meter values)
  transaction stale [--limit n]           active transactions that are not live (charger offline, no recent event)
  transaction close <chargerId> <transactionId> --reason <text>   end it as closed by the CSMS (frees its token)
      (tx is short for transaction)
  command send <chargerId> <action> ['<payload JSON>'] [--wait] [--timeout <s>]
      an OCPP command to a connected charger (needs a running npm start); --wait prints how it ended
  command show <commandId> [--wait]       command list <chargerId> [--limit n]     command cancel <commandId>
  locallist add|remove <chargerId> <value> [--type <type>]     a token on (off) a charger's local list
  locallist add|remove --location <id> <value> [--type <type>] ... on (off) the list of every charger at a location
  locallist show <chargerId> | --location <id>   the list the charger holds, and the tokens put on it and its location
  locallist sync <chargerId> [--full] [--check] [--wait]   send the update (Full or Differential); --check asks the
      charger its list version first; needs a running npm start

Where: the running \`npm start\`, however it was started (data directory or in memory); with several running,
pick one with --data-dir <dir> or --in-memory. With none running, DynamoDB Local is started on .local/ (or
--data-dir) for the command. --aws: the deployed tables (CSMS_TABLE and MESSAGE_LOG_TABLE set).`;
