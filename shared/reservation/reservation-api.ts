/**
 * Reservations as operators make and read them: `POST /reservations` checks the request, records the reservation as
 * `requested` under an id the CSMS allocates, and sends ReserveNow through the command path (its answer's effect
 * makes it `reserved` or `refused`); `DELETE /reservations/{chargerId}/{reservationId}` sends CancelReservation;
 * lists by charger, id token or status, newest first. A reservation id is the charger's (OCPP numbers reservations
 * per charger), so a reservation is named by both, as a transaction is.
 */
import { randomUUID } from 'node:crypto';
import { idFromSeed } from '../command/request-id.ts';
import * as z from 'zod';
import { failure, success, type Outcome } from '../api/outcome.ts';
import { commandTarget, idFromKey, submitCommandTo, type CommandTarget } from '../command/commands.ts';
import type { Command } from '../command/command.ts';
import { CommandSchema } from '../command/command-schema.ts';
import { redactCommand } from '../command/command-view.ts';
import type { CommandQueue } from '../command/ports.ts';
import type { Ports } from '../deps.ts';
import { registeredChargerId } from '../charger/registry.ts';
import { isV16 } from '../command/answer.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import { checkOutbound, loadValidators } from '../ocpp/validate.ts';
import type { Page, PageOptions } from '../store/queries.ts';
import type { ReservationPartition } from '../store/reservation-store.ts';
import { tokenForIdTag } from '../token/id-tokens.ts';
import { isOpen, RESERVATION_STATUSES, type Reservation, type ReservationRequest } from './reservation.ts';
import { heldEvseOf, type HeldEvses } from './reserved-evses.ts';

export const ReservationViewSchema = z.object({
  chargerId: z.string(),
  reservationId: z.number().int(),
  /** Where it is; absent when only the charger's report is known (a reservation made elsewhere). */
  status: z.enum(RESERVATION_STATUSES).optional(),
  expiry: z.string().optional(),
  connectorId: z.number().int().optional(),
  evseId: z.number().int().optional(),
  connectorType: z.string().optional(),
  idToken: z.string().optional(),
  idTokenType: z.string().optional(),
  groupIdToken: z.string().optional(),
  groupIdTokenType: z.string().optional(),
  createdAt: z.string().optional(),
  requestedBy: z.string().optional(),
  commandId: z.string().optional(),
  answeredAt: z.string().optional(),
  refusedWith: z.string().optional(),
  cancelledAt: z.string().optional(),
  cancelledByCommand: z.string().optional(),
  cancelRequestedByCommand: z.string().optional(),
  expiredAt: z.string().optional(),
  usedByTransaction: z.string().optional(),
  usedAt: z.string().optional(),
  reportedStatus: z.string().optional(),
  reportedAt: z.string().optional(),
});
export type ReservationView = z.output<typeof ReservationViewSchema>;

/** What POST and DELETE answer (202): the reservation, and the command that carries the request to the charger. */
export const ReservationWithCommandSchema = ReservationViewSchema.extend({ command: CommandSchema });
export type ReservationWithCommand = Reservation & { command: Command };

/** Longest a reservation may last from its request: a reservation holds an EVSE others cannot use. */
export const MAX_RESERVATION_HOURS = 24;

const TokenRef = z.strictObject({
  value: z.string().min(1).max(255),
  /** 2.x IdTokenType; left out, the token's own (1.6 idTags have none). */
  type: z.string().min(1).max(20).optional(),
});

export const CreateReservationSchema = z
  .strictObject({
    chargerId: z.string().min(1).max(48),
    /** 1.6: the connector; 0 or left out reserves the charger as a whole (one connector it keeps free). */
    connectorId: z.number().int().min(0).max(9999).optional(),
    /** 2.x: the EVSE; left out, any EVSE (of `connectorType`, when given). */
    evseId: z.number().int().min(1).max(9999).optional(),
    /** 2.x: a connector type (cCCS2, cType2, ...). */
    connectorType: z.string().min(1).max(20).optional(),
    /** Who may use it: a known token (and the members of `groupId`, when given). */
    idToken: TokenRef.optional(),
    /** A group (1.6 parentIdTag, 2.x groupIdToken): any token of it may use the reservation. */
    groupId: z.string().min(1).max(36).optional(),
    /** Until when (ISO 8601 with offset): in the future, at most MAX_RESERVATION_HOURS ahead. */
    expiresAt: z.iso.datetime({ offset: true }),
  })
  .refine((b) => b.idToken !== undefined || b.groupId !== undefined, { message: 'give idToken, groupId or both', path: ['idToken'] });
export type CreateReservation = z.output<typeof CreateReservationSchema>;

/** A group token's type when the CSMS names a group (as token-info.ts answers groupIdToken). */
const GROUP_TOKEN_TYPE = 'Central';

type Who = Pick<ReservationRequest, 'idToken' | 'idTokenType' | 'groupIdToken' | 'groupIdTokenType'>;

/** Who may use it: a token that may charge now, and/or a group with at least one token. */
const whoMayUse = async (deps: Ports, body: CreateReservation): Promise<Outcome<Who>> => {
  const group = body.groupId === undefined ? {} : { groupIdToken: body.groupId, groupIdTokenType: GROUP_TOKEN_TYPE };
  const [members, tokens] = await Promise.all([
    body.groupId === undefined ? undefined : deps.stores.idTokens.list({ groupId: body.groupId, limit: 1 }),
    body.idToken === undefined ? [] : deps.stores.idTokens.withValue(body.idToken.value),
  ]);
  if (members?.items.length === 0) return failure('invalid', `No id token is in group ${body.groupId}`, '/groupId');
  if (body.idToken === undefined) return success({ idToken: body.groupId!, idTokenType: GROUP_TOKEN_TYPE, ...group });
  const { value, type } = body.idToken;
  const token = type === undefined ? tokenForIdTag(tokens) : tokens.find((t) => t.tokenType === type);
  if (!token) return failure('invalid', `No id token ${value}${type === undefined ? '' : ` of type ${type}`}: create it first (POST /id-tokens)`, '/idToken');
  if (token.blocked) return failure('invalid', `Id token ${value} is blocked`, '/idToken');
  if (token.expiresAt !== undefined && Date.parse(token.expiresAt) <= deps.now().getTime()) return failure('invalid', `Id token ${value} has expired`, '/idToken');
  return success({ idToken: value, idTokenType: token.tokenType, ...group });
};

/** Pure: the request in the charger's version's terms, or what does not fit that version. */
export const reservationFor = (protocol: OcppProtocol, body: CreateReservation, who: Who, reservationId: number): Outcome<ReservationRequest> => {
  const base = { chargerId: body.chargerId, reservationId, expiry: new Date(body.expiresAt).toISOString(), ...who };
  if (isV16(protocol)) {
    if (body.evseId !== undefined || body.connectorType !== undefined) {
      return failure('invalid', 'OCPP 1.6 reserves a connector: give connectorId (0 or none: the charger as a whole)', body.evseId !== undefined ? '/evseId' : '/connectorType');
    }
    const { idTokenType: _type, groupIdTokenType: _groupType, ...v16 } = base;
    return success({ ...v16, connectorId: body.connectorId ?? 0 });
  }
  if (body.connectorId !== undefined) return failure('invalid', `${protocol} reserves an EVSE: give evseId and/or connectorType, or neither (any EVSE)`, '/connectorId');
  return success({ ...base, ...(body.evseId !== undefined ? { evseId: body.evseId } : {}), ...(body.connectorType !== undefined ? { connectorType: body.connectorType } : {}) });
};

/** Pure: the ReserveNow payload of a request (the inverse of reservation-effects.ts `reservationRequestOf`). */
export const reserveNowPayload = (protocol: OcppProtocol, r: ReservationRequest): Record<string, unknown> =>
  isV16(protocol)
    ? {
        connectorId: r.connectorId ?? 0,
        expiryDate: r.expiry,
        idTag: r.idToken,
        reservationId: r.reservationId,
        ...(r.groupIdToken !== undefined ? { parentIdTag: r.groupIdToken } : {}),
      }
    : {
        id: r.reservationId,
        expiryDateTime: r.expiry,
        idToken: { idToken: r.idToken, type: r.idTokenType },
        ...(r.evseId !== undefined ? { evseId: r.evseId } : {}),
        ...(r.connectorType !== undefined ? { connectorType: r.connectorType } : {}),
        ...(r.groupIdToken !== undefined ? { groupIdToken: { idToken: r.groupIdToken, type: r.groupIdTokenType ?? GROUP_TOKEN_TYPE } } : {}),
      };

const expiryProblem = (expiresAt: string, now: Date): string | undefined => {
  const ms = Date.parse(expiresAt) - now.getTime();
  if (ms <= 0) return 'expiresAt must be in the future';
  if (ms > MAX_RESERVATION_HOURS * 3_600_000) return `expiresAt must be at most ${MAX_RESERVATION_HOURS} hours ahead`;
  return undefined;
};

/** Reservation ids a request key walks (1 … 2^31 - 1, OCPP's positive integers): a retry walks the same ones. */
const candidateId: (requestKey: string, attempt: number) => number = idFromSeed;
/** A charger holds few reservations: a second candidate is already one in millions. */
const MAX_CANDIDATES = 4;

type CommandDeps = Ports & { queue: CommandQueue };

const checkedPayload = async (target: CommandTarget, action: string, payload: unknown): Promise<Outcome<unknown>> => {
  await loadValidators(target.protocol);
  const checked = checkOutbound(target.protocol, action, 'request', payload);
  return checked.ok ? success(payload) : failure('invalid', `Not a valid ${target.protocol} ${action}: ${checked.fault.description}`, checked.pointer);
};

/**
 * Why a reservation of one EVSE (1.6: connector) cannot be asked for now: another accepted reservation, not yet past
 * its expiry, holds it. A charger answers Occupied to it (1.6 §5.13); one that accepted anyway would leave two
 * reservations `reserved` and only the later one's hold (reserved-evses.ts): the earlier driver would lose the EVSE
 * without a word. A hold by one of this request's own candidate ids is a retry finding its own reservation.
 */
const heldByAnother = (protocol: OcppProtocol, asked: ReservationRequest, holds: HeldEvses | undefined, requestKey: string, now: Date): string | undefined => {
  const evse = heldEvseOf(asked);
  const hold = evse === undefined ? undefined : holds?.[evse];
  if (!hold || Date.parse(hold.expiry) <= now.getTime()) return undefined;
  if (Array.from({ length: MAX_CANDIDATES }, (_, attempt) => candidateId(requestKey, attempt)).includes(hold.reservationId)) return undefined;
  const what = isV16(protocol) ? `Connector ${evse}` : `EVSE ${evse}`;
  return `${what} of ${asked.chargerId} is reserved until ${hold.expiry} (reservation ${hold.reservationId}): cancel that one first`;
};

/** Records the reservation as `requested` under the first free candidate id; the reservation, or why not. */
const recordRequest = async (deps: CommandDeps, target: CommandTarget, body: CreateReservation, who: Who, holds: HeldEvses | undefined, requestedBy: string, requestKey: string) => {
  const commandId = idFromKey(requestKey);
  for (let attempt = 0; attempt < MAX_CANDIDATES; attempt++) {
    const asked = reservationFor(target.protocol, { ...body, chargerId: target.chargerId }, who, candidateId(requestKey, attempt));
    if (!asked.ok) return asked;
    const occupied = heldByAnother(target.protocol, asked.value, holds, requestKey, deps.now());
    if (occupied) return failure('conflict', occupied);
    const payload = await checkedPayload(target, 'ReserveNow', reserveNowPayload(target.protocol, asked.value));
    if (!payload.ok) return payload;
    const requested = { ...asked.value, commandId, createdAt: deps.now().toISOString(), requestedBy };
    const created = await deps.stores.reservations.createRequested(requested);
    if (created !== 'taken') return success({ requested, payload: payload.value, retried: created === 'ours' });
  }
  return failure('conflict', `No free reservation id for ${target.chargerId}; retry`);
};

export interface CreateReservationInput {
  body: CreateReservation;
  requestedBy: string;
  /**
   * Names the request under the caller's Idempotency-Key (the REST adapter's `requestKey`: caller, key, request and
   * claim): a retry finds the reservation (and command) the first attempt recorded; another request, or the key used
   * again after its record expired, makes a new one.
   */
  requestKey?: string;
}

/** POST /reservations: checks, records the reservation as `requested`, queues its ReserveNow. */
export const createReservation = async (deps: CommandDeps, { body, requestedBy, requestKey: keyed }: CreateReservationInput): Promise<Outcome<ReservationWithCommand>> => {
  const expiry = expiryProblem(body.expiresAt, deps.now());
  if (expiry) return failure('invalid', expiry, '/expiresAt');
  // The EVSE's holds are read beside the charger (keyed by the id as registered: read again when asked in another case).
  const holdsUnder = (chargerId: string) => (heldEvseOf(body) === undefined ? undefined : deps.stores.readTogether({ holds: deps.stores.reservations.readHeldEvses(chargerId) }));
  const [target, who, holdsAsAsked] = await Promise.all([commandTarget(deps, body.chargerId), whoMayUse(deps, body), holdsUnder(body.chargerId)]);
  if (!target.ok) return target;
  if (!who.ok) return who;
  const requestKey = `reservation\n${keyed ?? randomUUID()}`;
  const { holds } = (target.value.chargerId === body.chargerId ? holdsAsAsked : await holdsUnder(target.value.chargerId)) ?? {};
  const recorded = await recordRequest(deps, target.value, body, who.value, holds, requestedBy, requestKey);
  if (!recorded.ok) return recorded;
  const { requested, payload, retried } = recorded.value;
  const command = await submitCommandTo(deps, target.value, { action: 'ReserveNow', payload, requestedBy, requestKey });
  if (!command.ok) {
    await deps.stores.reservations.forgetRequested(requested.chargerId, requested.reservationId, requested.commandId);
    return command;
  }
  // A retry answers the reservation as it is by now (its ReserveNow may have been answered meanwhile).
  const fresh: Reservation = { ...requested, status: 'requested' };
  const reservation = (retried && (await deps.stores.reservations.get(requested.chargerId, requested.reservationId))) || fresh;
  return success({ ...reservation, command: redactCommand(command.value) });
};

/** A reservation by the charger (any case of its id) and the charger's reservation id. */
export const getReservation = async (deps: Ports, chargerId: string, reservationId: number): Promise<Outcome<Reservation>> => {
  const { charger, reservation } = await deps.stores.readTogether({
    charger: deps.stores.chargers.read(chargerId),
    reservation: deps.stores.reservations.read(chargerId, reservationId),
  });
  if (!charger) return failure('not-found', `No charger ${chargerId}`);
  // Reservations are kept under the id as registered; asked in another case, read again under it.
  const found = reservation ?? (charger.chargerId === chargerId ? undefined : await deps.stores.reservations.get(charger.chargerId, reservationId));
  return found ? success(found) : failure('not-found', `No reservation ${reservationId} of charger ${charger.chargerId}`);
};

/** DELETE /reservations/{chargerId}/{reservationId}: sends CancelReservation; its accepted answer closes it. */
export const cancelReservation = async (deps: CommandDeps, chargerId: string, reservationId: number, requestedBy: string): Promise<Outcome<ReservationWithCommand>> => {
  const [target, found] = await Promise.all([commandTarget(deps, chargerId), getReservation(deps, chargerId, reservationId)]);
  if (!target.ok) return target;
  if (!found.ok) return found;
  const reservation = found.value;
  if (reservation.status !== undefined && !isOpen(reservation.status)) {
    return failure('conflict', `Reservation ${reservationId} is ${reservation.status}: only a requested or reserved one can be cancelled`);
  }
  const command = await submitCommandTo(deps, target.value, { action: 'CancelReservation', payload: { reservationId }, requestedBy });
  if (!command.ok) return command;
  await deps.stores.reservations.cancelRequested(target.value.chargerId, reservationId, command.value.commandId);
  return success({ ...reservation, cancelRequestedByCommand: command.value.commandId, command: redactCommand(command.value) });
};

/** Reservations of one charger, id token or status, newest first. */
export const listReservationsBy = async (deps: Ports, partition: ReservationPartition, page: PageOptions): Promise<Page<Reservation>> => {
  if (!('chargerId' in partition)) return deps.stores.reservations.listBy(partition, page);
  // Listed under the id as registered: any case of it finds them.
  return deps.stores.reservations.listBy({ chargerId: await registeredChargerId(deps, partition.chargerId) }, page);
};

/** The charger's reservations by id (`GET /chargers/{chargerId}/reservations`): the profile, then one query. */
export const listReservations = async (deps: Ports, chargerId: string, page: PageOptions): Promise<Outcome<Page<Reservation>>> => {
  const profile = await deps.stores.chargers.get(chargerId);
  if (!profile) return failure('not-found', `No charger ${chargerId}`);
  return success(await deps.stores.reservations.list(profile.chargerId, page));
};
