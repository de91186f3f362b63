/** OCPP 2.0.1 / 2.1 charger-initiated messages other than transactions (same payloads in both versions). */
import type { ActionSpec, Ocpp2ActionSpec, Ocpp2Request } from '../types.ts';
import { utc } from '../types.ts';
import { acceptBoot } from '../../charger/boot.ts';
import { recordStatus } from '../../charger/connector-status.ts';
import { recordTimeline, type TimelineKind } from '../../charger/timeline.ts';
import { storeReportPage } from '../../charger/device-report.ts';
import { authorizeTypedToken } from '../../token/id-tokens.ts';
import { idTokenInfoV2 } from '../token-info.ts';

export const bootNotification: Ocpp2ActionSpec<'BootNotification'> = {
  async handle(ctx, p) {
    const station = p.chargingStation;
    const boot = await acceptBoot(
      ctx.store,
      ctx.chargerId,
      {
        vendor: station.vendorName,
        model: station.model,
        serialNumber: station.serialNumber,
        firmwareVersion: station.firmwareVersion,
        iccid: station.modem?.iccid,
        imsi: station.modem?.imsi,
        bootReason: p.reason,
      },
      ctx.heartbeatIntervalSeconds,
    );
    return { currentTime: ctx.receivedAt.toISOString(), interval: boot.intervalSeconds, status: boot.status };
  },
};

export const statusNotification: Ocpp2ActionSpec<'StatusNotification'> = {
  async handle(ctx, p) {
    await recordStatus(ctx.store, {
      chargerId: ctx.chargerId,
      evseId: p.evseId,
      connectorId: p.connectorId,
      status: p.connectorStatus,
      timestamp: utc(p.timestamp, ctx.receivedAt),
      messageId: ctx.messageId,
    });
    return {};
  },
};

export const authorize: Ocpp2ActionSpec<'Authorize'> = {
  requiresAcceptedCharger: true,
  async handle(ctx, p) {
    return { idTokenInfo: idTokenInfoV2(await authorizeTypedToken(ctx.store, { value: p.idToken.idToken, type: p.idToken.type })) };
  },
};

export const notifyReport: Ocpp2ActionSpec<'NotifyReport'> = {
  async handle(ctx, p) {
    await storeReportPage(ctx.store, {
      chargerId: ctx.chargerId,
      requestId: p.requestId,
      seqNo: p.seqNo,
      generatedAt: utc(p.generatedAt, ctx.receivedAt),
      tbc: p.tbc ?? false,
      reportData: p.reportData ?? [],
    });
    return {};
  },
};

type TimelineAction = 'NotifyEvent' | 'SecurityEventNotification' | 'FirmwareStatusNotification' | 'LogStatusNotification';

/**
 * A notification kept on the charger's timeline, answered with an empty object; `status` names its latest-status
 * field, if it has one.
 */
const timelineEntry = <K extends TimelineAction>(
  kind: TimelineKind,
  facts: (p: Ocpp2Request<K>) => { at?: string; status?: string },
): ActionSpec<Ocpp2Request<K>, Record<string, never>> => ({
  async handle(ctx, p) {
    const { at, status } = facts(p);
    await recordTimeline(
      ctx.store,
      { chargerId: ctx.chargerId, kind, at: utc(at, ctx.receivedAt), messageId: ctx.messageId, payload: p },
      status,
    );
    return {};
  },
});

export const notifyEvent: Ocpp2ActionSpec<'NotifyEvent'> = timelineEntry('NotifyEvent', (p) => ({ at: p.generatedAt }));
export const securityEventNotification: Ocpp2ActionSpec<'SecurityEventNotification'> = timelineEntry('SecurityEvent', (p) => ({
  at: p.timestamp,
}));
export const firmwareStatusNotification: Ocpp2ActionSpec<'FirmwareStatusNotification'> = timelineEntry('FirmwareStatus', (p) => ({
  status: p.status,
}));
export const logStatusNotification: Ocpp2ActionSpec<'LogStatusNotification'> = timelineEntry('LogStatus', (p) => ({ status: p.status }));
