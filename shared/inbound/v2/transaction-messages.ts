/** OCPP 2.0.1 / 2.1 TransactionEvent and MeterValues. */
import type { Ocpp2ActionSpec } from '../types.ts';
import { samplesInUtc, utc } from '../types.ts';
import { idTokenInfoV2 } from '../token-info.ts';
import { recordTransactionEvent } from '../../transaction/record-transaction-event.ts';
import { CallRefused, NOT_ACCEPTED } from '../refusal.ts';

export const transactionEvent: Ocpp2ActionSpec<'TransactionEvent'> = {
  async handle(ctx, p) {
    const info = p.transactionInfo;
    const outcome = await recordTransactionEvent(ctx, {
      chargerId: ctx.chargerId,
      protocol: ctx.protocol,
      transactionId: info.transactionId,
      eventType: p.eventType,
      timestamp: utc(p.timestamp, ctx),
      receivedAt: ctx.receivedAt.toISOString(),
      seqNo: p.seqNo,
      triggerReason: p.triggerReason,
      messageId: ctx.messageId,
      raw: p,
      meterValue: samplesInUtc(p.meterValue, ctx),
      ...(p.offline !== undefined ? { offline: p.offline } : {}),
      ...(info.chargingState ? { chargingState: info.chargingState } : {}),
      ...(info.stoppedReason ? { stoppedReason: info.stoppedReason } : {}),
      ...(info.remoteStartId !== undefined ? { remoteStartId: info.remoteStartId } : {}),
      ...(p.reservationId !== undefined ? { reservationId: p.reservationId } : {}),
      ...(p.idToken ? { idToken: { value: p.idToken.idToken, type: p.idToken.type } } : {}),
      ...(p.evse ? { evse: p.evse } : {}),
    }, ctx.liveTransactionWindowMs);
    if (!outcome.recorded) throw new CallRefused(NOT_ACCEPTED);
    // 2.0.1 E01: idTokenInfo is returned when the event carried an idToken.
    return outcome.decision ? { idTokenInfo: idTokenInfoV2(outcome.decision) } : {};
  },
};

export const meterValues: Ocpp2ActionSpec<'MeterValues'> = {
  async handle(ctx, p) {
    await ctx.stores.meterValues.record({
      chargerId: ctx.chargerId,
      samples: samplesInUtc(p.meterValue, ctx),
      source: 'MeterValues',
      evseId: p.evseId,
    });
    return {};
  },
};
