/**
 * Reservations of a charger, one item each in the charger's partition, and the EVSEs they hold (one item per charger).
 * Every write is an update of the attributes it owns (reservation.ts): the charger's reported status and our side's
 * never overwrite each other. Each write that moves `status` moves the index keys with it (keys.ts: gsi1 by charger,
 * gsi2 by token, gsi3 by status, gsi4 open ones by expiry) in the same UpdateItem; a closing move is conditioned on the
 * states it may leave (`CLOSES_FROM`), so of two racing ends the first wins.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  CLOSES_FROM,
  isOpen,
  OPEN_STATUSES,
  REPORTED_CLOSES,
  type AnsweredReservation,
  type ClosingStatus,
  type RequestedReservation,
  type Reservation,
  type ReservationStatus,
  type ReservationStatusReport,
} from '../reservation/reservation.ts';
import type { EvseHold, HeldEvses } from '../reservation/reserved-evses.ts';
import type { StoreContext } from './context.ts';
import { isConditionFailed, itemOfFailedCondition, unlessConditionFails, type Item } from './dynamo.ts';
import {
  chargerReservationsPk,
  heldEvseAttribute,
  OPEN_RESERVATIONS_PK,
  RESERVATION_PREFIX,
  reservationExpirySk,
  reservationKey,
  reservationListSk,
  reservedEvsesKey,
  statusReservationsPk,
  tokenReservationsPk,
  withoutKeys,
} from './keys.ts';
import { mapPage, queryPage, type Page, type PageOptions } from './queries.ts';
import type { ItemRead } from './stores.ts';
import { setRemove, type SetRemove } from './update-expression.ts';

const ITEM_TYPE = 'Reservation';
const HOLDS_TYPE = 'ReservedEvses';
const HELD_ATTRIBUTE = /^evse(\d+)$/;

/** The listings GET /reservations reads: exactly one partition each. */
export type ReservationPartition = { chargerId: string } | { idToken: string } | { status: ReservationStatus };

/** What a ReserveNow sets; an optional field the request left out is removed (a reservation made again replaces it). */
const requestFields = (r: AnsweredReservation | RequestedReservation) => ({
  type: ITEM_TYPE,
  chargerId: r.chargerId,
  reservationId: r.reservationId,
  expiry: r.expiry,
  connectorId: r.connectorId,
  evseId: r.evseId,
  connectorType: r.connectorType,
  idToken: r.idToken,
  idTokenType: r.idTokenType,
  groupIdToken: r.groupIdToken,
  groupIdTokenType: r.groupIdTokenType,
  commandId: r.commandId,
});

const utc = (time: string): string | undefined => (Number.isNaN(Date.parse(time)) ? undefined : new Date(time).toISOString());

/** The status index keys of `status`: gsi3 always, gsi4 (by expiry) only while open. */
const statusKeys = (status: ReservationStatus, r: { chargerId: string; reservationId: number; expiry?: string | undefined }) => {
  const expiry = r.expiry === undefined ? undefined : utc(r.expiry);
  const open = isOpen(status) && expiry !== undefined;
  return {
    set: { status, gsi3pk: statusReservationsPk(status), ...(open ? { gsi4pk: OPEN_RESERVATIONS_PK, gsi4sk: reservationExpirySk(expiry, r.chargerId, r.reservationId) } : {}) },
    remove: open ? [] : ['gsi4pk', 'gsi4sk'],
  };
};

/** The listing keys a write sets when absent: first seen `at` (a reservation made again keeps its place in lists). */
const listingKeys = (r: { chargerId: string; reservationId: number; idToken?: string | undefined }, at: string) => {
  const sk = reservationListSk(at, r.chargerId, r.reservationId);
  return {
    set: { gsi1pk: chargerReservationsPk(r.chargerId), ...(r.idToken !== undefined ? { gsi2pk: tokenReservationsPk(r.idToken) } : {}) },
    ifAbsent: { createdAt: at, gsi1sk: sk, gsi3sk: sk, ...(r.idToken !== undefined ? { gsi2sk: sk } : {}) },
  };
};

/** `#status IN (...)` (or absent, when `absent`) as a condition with its own placeholders. */
const statusIn = (statuses: readonly ReservationStatus[], absent: boolean) => ({
  expression: `(${absent ? 'attribute_not_exists(#st) OR ' : ''}#st IN (${statuses.map((_, i) => `:st${i}`).join(', ')}))`,
  names: { '#st': 'status' },
  values: Object.fromEntries(statuses.map((s, i) => [`:st${i}`, s])),
});

interface Condition {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

const conditioned = (update: SetRemove, condition: Condition): Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> => ({
  ...update,
  ConditionExpression: condition.expression,
  ExpressionAttributeNames: { ...update.ExpressionAttributeNames, ...condition.names },
  ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...condition.values },
});

const decode = (item: Item): Reservation => withoutKeys<Reservation>(item);

const decodeHolds = (item: Item): HeldEvses =>
  Object.fromEntries(
    Object.entries(item).flatMap(([name, value]) => {
      const evse = HELD_ATTRIBUTE.exec(name);
      return evse ? [[Number(evse[1]), value as EvseHold]] : [];
    }),
  );

export const reservationStore = (ctx: StoreContext) => {
  const update = async (key: { pk: string; sk: string }, input: ReturnType<typeof conditioned> | SetRemove): Promise<Reservation | undefined> => {
    const out = await unlessConditionFails(ctx.db.send(new UpdateCommand({ TableName: ctx.tables.Csms, Key: key, ...input, ReturnValues: 'ALL_NEW' })));
    return out?.Attributes && decode(out.Attributes);
  };

  /** Closes a reservation as `to`, with `facts`, where `condition` (the states it may leave) allows: the closed record. */
  const close = (chargerId: string, reservationId: number, to: ClosingStatus, facts: Record<string, unknown>, at: string, condition: Condition) => {
    const keys = statusKeys(to, { chargerId, reservationId });
    const listing = listingKeys({ chargerId, reservationId }, at);
    return update(
      reservationKey(chargerId, reservationId),
      conditioned(setRemove({ type: ITEM_TYPE, chargerId, reservationId, ...facts, ...keys.set, ...listing.set }, keys.remove, listing.ifAbsent), condition),
    );
  };

  /**
   * The charger's last reported status alone, on a reservation we know (a report that closes nothing). False, and
   * nothing written, for an id we hold no item of: a charger makes up no items (they never expire, and its partition
   * must stay erasable), so a reservation made elsewhere is on the timeline only.
   */
  const setReportedStatus = async (report: ReservationStatusReport): Promise<boolean> => {
    const written = await unlessConditionFails(
      ctx.db.send(
        new UpdateCommand({
          TableName: ctx.tables.Csms,
          Key: reservationKey(report.chargerId, report.reservationId),
          ...conditioned(setRemove({ reportedStatus: report.status, reportedAt: report.at }), { expression: 'attribute_exists(pk)' }),
        }),
      ),
    );
    return written !== undefined;
  };

  return {
    /**
     * POST /reservations, before the ReserveNow is queued: `taken` when the id holds another reservation of this
     * charger, `ours` when it holds this very request (a retry: left as it is, whatever its answer made of it).
     */
    async createRequested(r: RequestedReservation): Promise<'created' | 'ours' | 'taken'> {
      const keys = statusKeys('requested', r);
      const sk = reservationListSk(r.createdAt, r.chargerId, r.reservationId);
      try {
        await ctx.db.send(
          new PutCommand({
            TableName: ctx.tables.Csms,
            Item: {
              ...reservationKey(r.chargerId, r.reservationId),
              ...Object.fromEntries(Object.entries(requestFields(r)).filter(([, v]) => v !== undefined)),
              createdAt: r.createdAt,
              requestedBy: r.requestedBy,
              ...keys.set,
              gsi1pk: chargerReservationsPk(r.chargerId),
              gsi1sk: sk,
              gsi2pk: tokenReservationsPk(r.idToken),
              gsi2sk: sk,
              gsi3sk: sk,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return 'created';
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        return itemOfFailedCondition(error)?.commandId === r.commandId ? 'ours' : 'taken';
      }
    },

    /** A requested reservation whose ReserveNow was never queued (its payload failed the schema): it goes. */
    async forgetRequested(chargerId: string, reservationId: number, commandId: string): Promise<void> {
      await unlessConditionFails(
        ctx.db.send(
          new DeleteCommand({
            TableName: ctx.tables.Csms,
            Key: reservationKey(chargerId, reservationId),
            ConditionExpression: 'commandId = :cmd AND #st = :requested',
            ExpressionAttributeNames: { '#st': 'status' },
            ExpressionAttributeValues: { ':cmd': commandId, ':requested': 'requested' },
          }),
        ),
      );
    },

    setReportedStatus,

    /**
     * The charger's ReservationStatusUpdate: its status kept, and an open reservation closed as the status says
     * (`REPORTED_CLOSES`). `closed`: the reservation it closed (when it closed nothing, one write more: the report
     * alone). `known: false`: no reservation has this id, and nothing was written.
     */
    async report(report: ReservationStatusReport): Promise<{ known: boolean; closed?: Reservation }> {
      const to = REPORTED_CLOSES[report.status];
      const facts = { reportedStatus: report.status, reportedAt: report.at, ...(to === 'expired' ? { expiredAt: report.at } : { cancelledAt: report.at }) };
      // Closing needs a status to leave (absent not allowed): it never creates the item either.
      const closed = to && (await close(report.chargerId, report.reservationId, to, facts, report.at, statusIn(CLOSES_FROM[to], false)));
      return closed ? { known: true, closed } : { known: await setReportedStatus(report) };
    },

    /**
     * An accepted ReserveNow: the reservation as asked, `reserved` (a refusal or cancellation of the id before is
     * cleared). Undefined when this command's own reservation already moved on (used or expired before its answer was
     * handled): a later answer never reopens it.
     */
    async reserve(r: AnsweredReservation): Promise<Reservation | undefined> {
      const keys = statusKeys('reserved', r);
      const listing = listingKeys(r, r.answeredAt);
      const write = setRemove(
        { ...requestFields(r), answeredAt: r.answeredAt, ...keys.set, ...listing.set },
        ['refusedWith', 'cancelledAt', 'cancelledByCommand', 'expiredAt', 'usedAt', 'usedByTransaction', ...keys.remove],
        listing.ifAbsent,
      );
      const sameCommandOpen = statusIn(OPEN_STATUSES, true);
      return update(
        reservationKey(r.chargerId, r.reservationId),
        conditioned(write, {
          expression: `attribute_not_exists(commandId) OR commandId <> :cmd OR ${sameCommandOpen.expression}`,
          names: sameCommandOpen.names,
          values: { ...sameCommandOpen.values, ':cmd': r.commandId },
        }),
      );
    },

    /**
     * A refused ReserveNow, with the charger's status. `kept`: the id holds a reservation the charger accepted before,
     * which a refused replacement leaves in place (OCPP replaces a reservation only when it accepts the new one), or
     * this command's reservation already moved on.
     */
    async refuse(r: AnsweredReservation): Promise<'refused' | 'kept'> {
      const keys = statusKeys('refused', r);
      const listing = listingKeys(r, r.answeredAt);
      const write = setRemove(
        { ...requestFields(r), answeredAt: r.answeredAt, refusedWith: r.answer, ...keys.set, ...listing.set },
        ['cancelledAt', 'cancelledByCommand', 'expiredAt', 'usedAt', 'usedByTransaction', ...keys.remove],
        listing.ifAbsent,
      );
      const written = await update(
        reservationKey(r.chargerId, r.reservationId),
        conditioned(write, {
          expression:
            '((attribute_not_exists(commandId) OR commandId <> :cmd) AND (attribute_not_exists(#st) OR #st <> :reserved)) OR ' +
            '(commandId = :cmd AND (attribute_not_exists(#st) OR #st = :requested))',
          names: { '#st': 'status' },
          values: { ':cmd': r.commandId, ':reserved': 'reserved', ':requested': 'requested' },
        }),
      );
      return written ? 'refused' : 'kept';
    },

    /** A CancelReservation the charger accepted: the reservation it closed (undefined: it had ended already). */
    cancel: (chargerId: string, reservationId: number, commandId: string, at: string): Promise<Reservation | undefined> =>
      close(chargerId, reservationId, 'cancelled', { cancelledAt: at, cancelledByCommand: commandId }, at, statusIn(CLOSES_FROM.cancelled, true)),

    /** DELETE /reservations/...: the CancelReservation sent for it (the answer's effect closes it). */
    async cancelRequested(chargerId: string, reservationId: number, commandId: string): Promise<void> {
      await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: ctx.tables.Csms,
            Key: reservationKey(chargerId, reservationId),
            UpdateExpression: 'SET cancelRequestedByCommand = :cmd',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':cmd': commandId },
          }),
        ),
      );
    },

    /**
     * A transaction started on the reservation (1.6 StartTransaction, 2.x TransactionEvent): `used`, linked to it.
     * Undefined when no such reservation is known or it ended otherwise (refused, cancelled, used already).
     */
    use: (chargerId: string, reservationId: number, transactionId: string, at: string): Promise<Reservation | undefined> => {
      const from = statusIn(CLOSES_FROM.used, true);
      return close(chargerId, reservationId, 'used', { usedAt: at, usedByTransaction: transactionId }, at, { ...from, expression: `attribute_exists(pk) AND ${from.expression}` });
    },

    /** The expiry schedule: an open reservation past its expiry becomes `expired`, unless it changed since it was listed. */
    expire: (r: Reservation, at: string): Promise<Reservation | undefined> => {
      const from = statusIn(CLOSES_FROM.expired, false);
      return close(r.chargerId, r.reservationId, 'expired', { expiredAt: at }, at, {
        expression: `${from.expression} AND gsi4sk = :listed`,
        names: from.names,
        values: { ...from.values, ':listed': reservationExpirySk(new Date(r.expiry ?? 0).toISOString(), r.chargerId, r.reservationId) },
      });
    },

    /** Open reservations whose expiry is before `now`, soonest first: a page of gsi4 `RESERVATIONS#OPEN`. */
    pastExpiry: async (now: string, page: PageOptions): Promise<Page<Reservation>> =>
      mapPage(await queryPage(ctx, { index: 'gsi4', pk: OPEN_RESERVATIONS_PK, between: ['0', now] }, page), decode),

    /** For `readTogether`. */
    read: (chargerId: string, reservationId: number): ItemRead<Reservation> => ({ table: ctx.tables.Csms, key: reservationKey(chargerId, reservationId), decode }),

    async get(chargerId: string, reservationId: number): Promise<Reservation | undefined> {
      const out = await ctx.db.send(new GetCommand({ TableName: ctx.tables.Csms, Key: reservationKey(chargerId, reservationId) }));
      return out.Item && decode(out.Item);
    },

    /** The charger's reservations by id: one Query of its partition, `begins_with(sk, 'RESERVATION#')`. */
    async list(chargerId: string, page: PageOptions = {}): Promise<Page<Reservation>> {
      const { pk } = reservationKey(chargerId, 0);
      return mapPage(await queryPage(ctx, { pk, beginsWith: RESERVATION_PREFIX }, page), decode);
    },

    /** Reservations of one charger, token or status, newest first: one Query of gsi1, gsi2 or gsi3. */
    async listBy(partition: ReservationPartition, page: PageOptions = {}): Promise<Page<Reservation>> {
      const q =
        'chargerId' in partition
          ? { index: 'gsi1' as const, pk: chargerReservationsPk(partition.chargerId) }
          : 'idToken' in partition
            ? { index: 'gsi2' as const, pk: tokenReservationsPk(partition.idToken) }
            : { index: 'gsi3' as const, pk: statusReservationsPk(partition.status) };
      return mapPage(await queryPage(ctx, q, { ...page, newestFirst: true }), decode);
    },

    /** The charger's EVSE holds, for `readTogether` / `readAndAuthorize`: one key in the BatchGetItem a start sends. */
    readHeldEvses: (chargerId: string): ItemRead<HeldEvses> => ({ table: ctx.tables.Csms, key: reservedEvsesKey(chargerId), decode: decodeHolds }),

    /** An accepted reservation holds its EVSE (a later reservation of the same EVSE replaces the hold). */
    async holdEvse(chargerId: string, evseId: number, hold: EvseHold): Promise<void> {
      await ctx.db.send(
        new UpdateCommand({
          TableName: ctx.tables.Csms,
          Key: reservedEvsesKey(chargerId),
          UpdateExpression: 'SET #type = :type, chargerId = :charger, #evse = :hold',
          ExpressionAttributeNames: { '#type': 'type', '#evse': heldEvseAttribute(evseId) },
          ExpressionAttributeValues: { ':type': HOLDS_TYPE, ':charger': chargerId, ':hold': hold },
        }),
      );
    },

    /** A reservation that ended frees its EVSE, unless another reservation holds it by now. */
    async releaseEvse(chargerId: string, evseId: number, reservationId: number): Promise<void> {
      await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: ctx.tables.Csms,
            Key: reservedEvsesKey(chargerId),
            UpdateExpression: 'REMOVE #evse',
            ConditionExpression: '#evse.reservationId = :id',
            ExpressionAttributeNames: { '#evse': heldEvseAttribute(evseId) },
            ExpressionAttributeValues: { ':id': reservationId },
          }),
        ),
      );
    },
  };
};

export type ReservationStore = ReturnType<typeof reservationStore>;
