/**
 * `npm run cli -- reservation add|list|show|cancel`: the REST API's reservation operations (shared/reservation/
 * reservation-api.ts) from the command line. `add` and `cancel` send a command, so they need a running `npm start` (or
 * --aws with COMMANDS_QUEUE_URL set).
 */
import { redactCommand } from '#shared/command/command-view.ts';
import { cancelReservation, createReservation, CreateReservationSchema, getReservation, listReservationsBy } from '#shared/reservation/reservation-api.ts';
import { RESERVATION_STATUSES, type ReservationStatus } from '#shared/reservation/reservation.ts';
import type { ReservationPartition } from '#shared/store/reservation-store.ts';
import { need, numberOption, str, UsageError, valueOf, type Command, type CommandContext } from './commands.ts';

const DEFAULT_MINUTES = 30;

const queueOf = (context: CommandContext) => {
  if (!context.commandQueue) throw new UsageError('no command queue: reservations go to the charger by command, through a running `npm start` (or --aws with COMMANDS_QUEUE_URL set)');
  return context.commandQueue;
};

const integer = (raw: string | undefined, what: string): number | undefined => {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`${what} must be a whole number, got "${raw}"`);
  return Number(raw);
};

/** `reservation add <chargerId> [<token>] [--type] [--group] [--connector n | --evse n] [--connector-type] [--expires | --minutes]` */
const add: Command = async (deps, [chargerId, token], o, context) => {
  const expires = str(o, 'expires');
  const body = CreateReservationSchema.safeParse({
    chargerId: need(chargerId, 'charger id'),
    ...(token !== undefined ? { idToken: { value: token, ...(str(o, 'type') ? { type: str(o, 'type') } : {}) } } : {}),
    ...(str(o, 'group') ? { groupId: str(o, 'group') } : {}),
    ...(str(o, 'connector') !== undefined ? { connectorId: integer(str(o, 'connector'), '--connector') } : {}),
    ...(str(o, 'evse') !== undefined ? { evseId: integer(str(o, 'evse'), '--evse') } : {}),
    ...(str(o, 'connector-type') ? { connectorType: str(o, 'connector-type') } : {}),
    expiresAt: expires ?? new Date(deps.now().getTime() + numberOption(o, 'minutes', DEFAULT_MINUTES) * 60_000).toISOString(),
  });
  if (!body.success) throw new UsageError(body.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; '));
  const made = valueOf(await createReservation({ ...deps, queue: queueOf(context) }, { body: body.data, requestedBy: 'cli' }));
  return {
    result: { ...made, command: redactCommand(made.command) },
    note: `reservation ${made.reservationId} of ${made.chargerId} requested; ReserveNow queued as ${made.command.commandId} (follow it with: command show ${made.command.commandId} --wait)`,
  };
};

const status = (raw: string | undefined): ReservationStatus | undefined => {
  if (raw === undefined) return undefined;
  if (!RESERVATION_STATUSES.includes(raw as ReservationStatus)) throw new UsageError(`--status must be one of ${RESERVATION_STATUSES.join(', ')}`);
  return raw as ReservationStatus;
};

/** `reservation list --charger <id> | --token <value> | --status <status> [--limit n]`: newest first. */
const list: Command = async (deps, _args, o) => {
  const filters: ReservationPartition[] = [
    ...(str(o, 'charger') ? [{ chargerId: str(o, 'charger')! }] : []),
    ...(str(o, 'token') ? [{ idToken: str(o, 'token')! }] : []),
    ...(status(str(o, 'status')) ? [{ status: status(str(o, 'status'))! }] : []),
  ];
  if (filters.length !== 1) throw new UsageError('give exactly one of --charger, --token, --status');
  return { result: await listReservationsBy(deps, filters[0]!, { limit: numberOption(o, 'limit', 50) }) };
};

const reservationId = (raw: string | undefined): number => integer(need(raw, 'reservation id'), 'the reservation id')!;

export const reservationCommands: Record<string, Command> = {
  add,
  list,
  show: async (deps, [chargerId, id]) => ({ result: valueOf(await getReservation(deps, need(chargerId, 'charger id'), reservationId(id))) }),
  cancel: async (deps, [chargerId, id], _o, context) => {
    const sent = valueOf(await cancelReservation({ ...deps, queue: queueOf(context) }, need(chargerId, 'charger id'), reservationId(id), 'cli'));
    return { result: { ...sent, command: redactCommand(sent.command) }, note: `CancelReservation queued as ${sent.command.commandId}` };
  },
};

export const reservationUsage = `  reservation add <chargerId> [<token>] [--type <type>] [--group <group>] [--connector n | --evse n] [--connector-type <type>]
                  [--expires <iso> | --minutes n]   reserve (1.6: a connector, 0 or none: the charger; 2.x: an EVSE, a
      connector type, or any EVSE) for a known token and/or a group, until --expires (default 30 minutes); sends ReserveNow
  reservation list --charger <id> | --token <value> | --status requested|reserved|refused|cancelled|expired|used [--limit n]
  reservation show <chargerId> <reservationId>       reservation cancel <chargerId> <reservationId>   (sends CancelReservation)`;
