/** OCPP 1.6 StartTransaction, StopTransaction and MeterValues. */
import type { ActionSpec } from '../types.ts';
import { samplesInUtc, utc } from '../types.ts';
import { idTagInfoV16 } from '../token-info.ts';
import { startTransactionV16, stopTransactionV16 } from '../../transaction/transactions-v16.ts';
import type { MeterSample } from '../../transaction/meter-values.ts';
import { connectorOfV16 } from '../../charger/connector-status.ts';
import { CallRefused, NOT_ACCEPTED } from '../refusal.ts';

interface StartTransactionReq {
  connectorId: number;
  idTag: string;
  meterStart: number;
  reservationId?: number;
  timestamp: string;
}

export const startTransaction: ActionSpec<StartTransactionReq> = {
  async handle(ctx, p) {
    const started = await startTransactionV16(ctx, {
      chargerId: ctx.chargerId,
      connectorId: p.connectorId,
      idTag: p.idTag,
      meterStart: p.meterStart,
      timestamp: utc(p.timestamp, ctx.receivedAt),
      ...(p.reservationId !== undefined ? { reservationId: p.reservationId } : {}),
    });
    if (!started.started) throw new CallRefused(NOT_ACCEPTED);
    if (started.retried) ctx.log.info('StartTransaction retried: same transaction id returned', { chargerId: ctx.chargerId, transactionId: started.transactionId });
    return { transactionId: started.transactionId, idTagInfo: idTagInfoV16(started.decision) };
  },
};

interface StopTransactionReq {
  idTag?: string;
  meterStop: number;
  timestamp: string;
  transactionId: number;
  reason?: string;
  transactionData?: MeterSample[];
}

export const stopTransaction: ActionSpec<StopTransactionReq> = {
  async handle(ctx, p) {
    const stopped = await stopTransactionV16(ctx, {
      chargerId: ctx.chargerId,
      transactionId: p.transactionId,
      meterStop: p.meterStop,
      timestamp: utc(p.timestamp, ctx.receivedAt),
      ...(p.reason ? { reason: p.reason } : {}),
      ...(p.idTag ? { idTag: p.idTag } : {}),
      transactionData: samplesInUtc(p.transactionData, ctx.receivedAt),
    });
    if (stopped.unknownTransaction) {
      ctx.log.warn('StopTransaction for an unknown transaction: recorded on its own', { chargerId: ctx.chargerId, transactionId: p.transactionId });
    }
    return stopped.decision ? { idTagInfo: idTagInfoV16(stopped.decision) } : {};
  },
};

interface MeterValuesReq {
  connectorId: number;
  transactionId?: number;
  meterValue: MeterSample[];
}

export const meterValues: ActionSpec<MeterValuesReq> = {
  async handle(ctx, p) {
    const ref = connectorOfV16(p.connectorId);
    await ctx.stores.meterValues.record({
      chargerId: ctx.chargerId,
      samples: samplesInUtc(p.meterValue, ctx.receivedAt),
      source: 'MeterValues',
      evseId: ref.evseId,
      connectorId: ref.connectorId,
      // Some chargers send transactionId 0 or negative outside a transaction.
      ...(p.transactionId !== undefined && p.transactionId > 0 ? { transactionId: String(p.transactionId) } : {}),
    });
    return {};
  },
};
