/**
 * `POST /chargers/{id}/local-list:sync`: computes the update that takes the charger's local list to what the operator
 * put on it (local-list-plan.ts) and sends it as SendLocalList commands, queued behind the charger's other commands
 * and followed at /commands/{id}. Nothing is written of the list itself here: the entries and the version move on
 * only when the charger accepts (local-list-effects.ts), so a refused update leaves the next sync to try again.
 *
 * The sync works from what we know; it does not ask the charger first. A GetLocalListVersion answer that differs from
 * the version our entries are of makes the next sync a Full update, and for a list the CSMS syncs it starts that sync
 * at once (`mismatchReported`, run on the table's stream).
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { failure, success, type Outcome } from '../api/outcome.ts';
import { commandTarget, idFromKey, submitCommandTo } from '../command/commands.ts';
import type { CommandQueue } from '../command/ports.ts';
import type { Ports } from '../deps.ts';
import type { ListToken } from './list-tokens.ts';
import { fullUpdateReason, limitSettings, listLimits, planUpdate, recordKey, sendLocalListPayload, wantedList, type TokenRecords } from './local-list-plan.ts';
import type { IdTokenRecord } from '../token/id-tokens.ts';
import type { LocalListSync, LocalListVersion } from './local-list.ts';

const UpdateTypeSchema = z.enum(['Full', 'Differential']);

export const LocalListSyncSchema = z.object({
  chargerId: z.string(),
  /** Nothing to send: the list the charger holds, as far as we know, is the wanted one. */
  upToDate: z.boolean(),
  /** Up to date: the version the charger holds. */
  version: z.number().int().optional(),
  /** Why the update is Full (absent: Differential, or up to date). */
  fullUpdateBecause: z.enum(['requested', 'version-mismatch', 'no-known-list', 'version-differs', 'other-protocol']).optional(),
  /** How many entries the wanted list has. */
  entries: z.number().int(),
  /** Tokens put on the list that it cannot hold: past the charger's capacity, or too long for OCPP 1.6. */
  leftOut: z.array(z.object({ idToken: z.string(), idTokenType: z.string().optional(), reason: z.enum(['over-capacity', 'too-long-for-ocpp1.6']) })),
  /** The SendLocalList commands sent, in the order the charger gets them. */
  commands: z.array(
    z.object({ commandId: z.string(), versionNumber: z.number().int(), updateType: UpdateTypeSchema, upserts: z.number().int(), removals: z.number().int() }),
  ),
});
export type LocalListSyncView = z.output<typeof LocalListSyncSchema>;

/** The charger's own tokens first, then its location's: the order a capacity cut keeps. */
const assignedTokens = async (deps: Ports, chargerId: string, locationId: string | undefined) => {
  const [{ list, tokens }, atLocation] = await Promise.all([
    deps.stores.localLists.readWithTokens(chargerId),
    locationId === undefined ? ([] as ListToken[]) : deps.stores.listTokens.all({ kind: 'location', locationId }),
  ]);
  return { list, assigned: [...tokens, ...atLocation] };
};

/** The id tokens' records, in BatchGetItems of 100 keys (read in parallel). */
const recordsOf = async (deps: Ports, assigned: readonly ListToken[]): Promise<TokenRecords> => {
  const reads = Object.fromEntries(assigned.map((t) => [recordKey(t.idTokenType, t.idToken), deps.stores.idTokens.read(t.idToken, t.idTokenType)]));
  const found = await deps.stores.readTogether(reads);
  return new Map(Object.entries(found).filter((e): e is [string, IdTokenRecord] => e[1] !== undefined));
};

export const syncLocalList = async (
  deps: Ports & { queue: CommandQueue },
  input: { chargerId: string; full?: boolean; requestedBy: string },
): Promise<Outcome<LocalListSyncView>> => {
  const target = await commandTarget(deps, input.chargerId);
  if (!target.ok) return target;
  const { chargerId, protocol, locationId } = target.value;
  const settings = limitSettings(protocol);
  const [{ list, assigned }, limits] = await Promise.all([
    assignedTokens(deps, chargerId, locationId),
    deps.stores.readTogether({
      maxEntries: settings.maxEntries && deps.stores.configuration.read(chargerId, settings.maxEntries),
      perMessage: deps.stores.configuration.read(chargerId, settings.perMessage),
    }),
  ]);
  if (list.version?.version === -1) {
    return failure('conflict', `Charger ${chargerId} reported list version -1: it has no local list (enabled); send GetLocalListVersion again once it has`);
  }
  const { maxEntries, itemsPerMessage } = listLimits({ maxEntries: limits.maxEntries?.value, perMessage: limits.perMessage?.value });
  const place = { chargerId, ...(locationId !== undefined ? { locationId } : {}) };
  const wanted = wantedList({ protocol, assigned, records: await recordsOf(deps, assigned), now: deps.now(), place, ...(maxEntries !== undefined ? { maxEntries } : {}) });
  const full = fullUpdateReason(protocol, list, input.full === true);
  const plan = planUpdate({ known: list, wanted: wanted.entries, full, itemsPerMessage });
  const summary = { chargerId, entries: wanted.entries.length, leftOut: wanted.leftOut };
  if (plan.upToDate) return success({ ...summary, upToDate: true, ...(list.version ? { version: list.version.version } : {}), commands: [] });

  // Each command's id is fixed before anything is sent, so the claim can name them.
  const sends = plan.messages.map((m) => ({ m, requestKey: `local-list-sync\n${chargerId}\n${m.version}\n${randomUUID()}` }));
  const last = plan.messages.at(-1)!;
  const claimed = await deps.stores.localLists.claimSync(
    chargerId,
    { sentVersion: last.version, updateType: plan.messages[0]!.updateType, commandIds: sends.map((s) => idFromKey(s.requestKey)), sentAt: deps.now().toISOString(), sentBy: input.requestedBy },
    list.lastSync?.sentVersion,
  );
  if (!claimed) return failure('conflict', `Another sync of ${chargerId}'s local list started meanwhile: sync again to send what is still missing`);
  const commands: LocalListSyncView['commands'] = [];
  // One after the other: the charger's FIFO message group keeps the order they are queued in.
  for (const { m, requestKey } of sends) {
    const sent = await submitCommandTo(deps, target.value, { action: 'SendLocalList', payload: sendLocalListPayload(protocol, m), requestedBy: input.requestedBy, requestKey });
    if (!sent.ok) return sent;
    const removals = m.items.filter((i) => i.info === undefined).length;
    commands.push({ commandId: sent.value.commandId, versionNumber: m.version, updateType: m.updateType, upserts: m.items.length - removals, removals });
  }
  return success({ ...summary, upToDate: false, ...(full ? { fullUpdateBecause: full } : {}), commands });
};

/** The local list's version item as a change of it shows it (any attribute may be missing). */
export type VersionItemImage = Partial<LocalListVersion> & { lastSync?: Partial<LocalListSync> };

/**
 * Pure: whether this change of the version item is a GetLocalListVersion answer, just arrived, telling a version
 * other than the one our last accepted update left, on a list the CSMS syncs. The charger's list changed behind us (or
 * was lost), so it is sent a Full update. A list only ever set by SendLocalList commands sent by hand has no sync to
 * restore, and a 1.6 charger answering -1 has no list at all: neither is touched.
 */
export const mismatchReported = (before: VersionItemImage | undefined, after: VersionItemImage | undefined): boolean =>
  after?.versionFrom === 'GetLocalListVersion' &&
  after.commandId !== before?.commandId &&
  after.lastSync !== undefined &&
  after.entriesVersion !== undefined &&
  after.version !== undefined &&
  after.version !== -1 &&
  after.version !== after.entriesVersion;
