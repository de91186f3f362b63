/**
 * Reservations of a charger, one item each in the charger's partition. So far only the last status the charger
 * reported is written; an update (not a put) sets just those attributes, so whatever else the item will hold
 * (the reservation itself, when ReserveNow is sent) stays as it is.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Reservation, ReservationStatusReport } from '../reservation/reservation.ts';
import type { StoreContext } from './context.ts';
import { reservationKey, withoutKeys } from './keys.ts';

export const reservationStore = (ctx: StoreContext) => ({
  async setReportedStatus(report: ReservationStatusReport): Promise<void> {
    await ctx.db.send(
      new UpdateCommand({
        TableName: ctx.tables.Csms,
        Key: reservationKey(report.chargerId, report.reservationId),
        UpdateExpression: 'SET #type = :type, chargerId = :charger, reservationId = :id, reportedStatus = :status, reportedAt = :at',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':type': 'Reservation', ':charger': report.chargerId, ':id': report.reservationId, ':status': report.status, ':at': report.at },
      }),
    );
  },

  async get(chargerId: string, reservationId: number): Promise<Reservation | undefined> {
    const out = await ctx.db.send(new GetCommand({ TableName: ctx.tables.Csms, Key: reservationKey(chargerId, reservationId) }));
    return out.Item && withoutKeys<Reservation>(out.Item);
  },
});

export type ReservationStore = ReturnType<typeof reservationStore>;
