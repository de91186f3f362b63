/** OCPP 1.6 StartTransaction, StopTransaction and MeterValues. */
import type { Ocpp16ActionSpec } from '../types.ts';
import { chargerTimeOf, samplesInUtc } from '../types.ts';
import { idTagInfoV16 } from '../token-info.ts';
import { startTransactionV16, stopTransactionV16 } from '../../transaction/transactions-v16.ts';
import { connectorOfV16 } from '../../charger/connector-status.ts';
import { CallRefused, NOT_ACCEPTED } from '../refusal.ts';

export const startTransaction: Ocpp16ActionSpec<'StartTransaction'> = {
  async handle(ctx, p) {
    const time = chargerTimeOf(p.timestamp, ctx);
    const started = await startTransactionV16(ctx, {
      chargerId: ctx.chargerId,
      connectorId: p.connectorId,
      idTag: p.idTag,
      meterStart: p.meterStart,
      timestamp: time.at,
      sentTimestamp: p.timestamp,
      receivedAt: ctx.receivedAt.toISOString(),
      ...(p.reservationId !== undefined ? { reservationId: p.reservationId } : {}),
    }, ctx.liveTransactionWindowMs);
    if (!started.started) throw new CallRefused(NOT_ACCEPTED);
    if (started.retried) ctx.log.info('StartTransaction retried: same transaction id returned', { chargerId: ctx.chargerId, transactionId: started.transactionId });
    return { transactionId: started.transactionId, idTagInfo: idTagInfoV16(started.decision) };
  },
};

export const stopTransaction: Ocpp16ActionSpec<'StopTransaction'> = {
  async handle(ctx, p) {
    const time = chargerTimeOf(p.timestamp, ctx);
    const stopped = await stopTransactionV16(ctx, {
      chargerId: ctx.chargerId,
      transactionId: p.transactionId,
      meterStop: p.meterStop,
      timestamp: time.at,
      ...(time.replaced ? { chargerTimestamp: time.replaced.sent } : {}),
      receivedAt: ctx.receivedAt.toISOString(),
      ...(p.reason ? { reason: p.reason } : {}),
      ...(p.idTag ? { idTag: p.idTag } : {}),
      transactionData: samplesInUtc(p.transactionData, ctx),
    });
    if (stopped.unknownTransaction) {
      ctx.log.warn('StopTransaction for an unknown transaction: recorded on its own', { chargerId: ctx.chargerId, transactionId: p.transactionId });
    }
    return stopped.decision ? { idTagInfo: idTagInfoV16(stopped.decision) } : {};
  },
};

export const meterValues: Ocpp16ActionSpec<'MeterValues'> = {
  async handle(ctx, p) {
    const ref = connectorOfV16(p.connectorId);
    await ctx.stores.meterValues.record({
      chargerId: ctx.chargerId,
      samples: samplesInUtc(p.meterValue, ctx),
      source: 'MeterValues',
      evseId: ref.evseId,
      connectorId: ref.connectorId,
      // Some chargers send transactionId 0 or negative outside a transaction.
      ...(p.transactionId !== undefined && p.transactionId > 0 ? { transactionId: String(p.transactionId) } : {}),
    });
    return {};
  },
};
