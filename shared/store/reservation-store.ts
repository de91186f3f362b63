/**
 * Reservations of a charger, one item each in the charger's partition. Every write is an update of the attributes it
 * owns (reservation.ts): the charger's reported status and our commands' outcome never overwrite each other.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AnsweredReservation, Reservation, ReservationStatusReport } from '../reservation/reservation.ts';
import type { StoreContext } from './context.ts';
import { unlessConditionFails } from './dynamo.ts';
import { RESERVATION_PREFIX, reservationKey, withoutKeys } from './keys.ts';
import { mapPage, queryPage, type Page, type PageOptions } from './queries.ts';
import { setRemove } from './update-expression.ts';

const ITEM_TYPE = 'Reservation';

/** What a ReserveNow sets; an optional field the request left out is removed (a reservation made again replaces it). */
const requestFields = (r: AnsweredReservation) => ({
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
  answeredAt: r.answeredAt,
});

export const reservationStore = (ctx: StoreContext) => ({
  async setReportedStatus(report: ReservationStatusReport): Promise<void> {
    await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.tables.Csms,
        Key: reservationKey(report.chargerId, report.reservationId),
        UpdateExpression: 'SET #type = :type, chargerId = :charger, reservationId = :id, reportedStatus = :status, reportedAt = :at',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':type': ITEM_TYPE, ':charger': report.chargerId, ':id': report.reservationId, ':status': report.status, ':at': report.at },
      }),
    );
  },

  /** An accepted ReserveNow: the reservation as asked, `reserved` (a refusal or cancellation of the id before is cleared). */
  async reserve(r: AnsweredReservation): Promise<void> {
    await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.tables.Csms,
        Key: reservationKey(r.chargerId, r.reservationId),
        ...setRemove({ ...requestFields(r), status: 'reserved' }, ['refusedWith', 'cancelledAt', 'cancelledByCommand']),
      }),
    );
  },

  /**
   * A refused ReserveNow, with the charger's status. `kept`: the id holds a reservation the charger accepted before,
   * which a refused replacement leaves in place (OCPP replaces a reservation only when it accepts the new one).
   */
  async refuse(r: AnsweredReservation): Promise<'refused' | 'kept'> {
    const update = setRemove({ ...requestFields(r), status: 'refused', refusedWith: r.answer }, ['cancelledAt', 'cancelledByCommand']);
    const written = await unlessConditionFails(
      ctx.db.send(
        new UpdateCommand({
          TableName: ctx.tables.Csms,
          Key: reservationKey(r.chargerId, r.reservationId),
          ...update,
          ConditionExpression: 'attribute_not_exists(#status) OR #status <> :reserved',
          ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#status': 'status' },
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':reserved': 'reserved' },
        }),
      ),
    );
    return written ? 'refused' : 'kept';
  },

  /** A CancelReservation the charger accepted. */
  async cancel(chargerId: string, reservationId: number, commandId: string, at: string): Promise<void> {
    await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.tables.Csms,
        Key: reservationKey(chargerId, reservationId),
        ...setRemove({ type: ITEM_TYPE, chargerId, reservationId, status: 'cancelled', cancelledAt: at, cancelledByCommand: commandId }),
      }),
    );
  },

  async get(chargerId: string, reservationId: number): Promise<Reservation | undefined> {
    const out = await ctx.db.send(new GetCommand({ TableName: ctx.tables.Csms, Key: reservationKey(chargerId, reservationId) }));
    return out.Item && withoutKeys<Reservation>(out.Item);
  },

  /** The charger's reservations by id: one Query of its partition, `begins_with(sk, 'RESERVATION#')`. */
  async list(chargerId: string, page: PageOptions = {}): Promise<Page<Reservation>> {
    const { pk } = reservationKey(chargerId, 0);
    return mapPage(await queryPage(ctx, { pk, beginsWith: RESERVATION_PREFIX }, page), (i) => withoutKeys<Reservation>(i));
  },
});

export type ReservationStore = ReturnType<typeof reservationStore>;
