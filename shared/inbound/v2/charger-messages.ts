/** OCPP 2.0.1 / 2.1 charger-initiated messages other than transactions (same payloads in both versions). */
import type { ActionSpec } from '../types.ts';
import { utc } from '../types.ts';
import { acceptBoot } from '../../charger/boot.ts';
import { recordTimeline, type TimelineKind } from '../../charger/timeline.ts';
import { readAndAuthorize } from '../../token/id-tokens.ts';
import { requireAccepted } from '../refusal.ts';
import { idTokenInfoV2 } from '../token-info.ts';

interface BootNotificationReq {
  reason: string;
  chargingStation: {
    model: string;
    vendorName: string;
    serialNumber?: string;
    firmwareVersion?: string;
    modem?: { iccid?: string; imsi?: string };
  };
}

export const bootNotification: ActionSpec<BootNotificationReq> = {
  async handle(ctx, p) {
    const station = p.chargingStation;
    const boot = await acceptBoot(
      ctx,
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

interface StatusNotificationReq {
  timestamp: string;
  connectorStatus: string;
  evseId: number;
  connectorId: number;
}

export const statusNotification: ActionSpec<StatusNotificationReq> = {
  async handle(ctx, p) {
    // The answer does not depend on whether the report is newer than the connector's: written alongside.
    ctx.alongside(
      ctx.stores.connectors.putStatusIfNewer({
        chargerId: ctx.chargerId,
        evseId: p.evseId,
        connectorId: p.connectorId,
        status: p.connectorStatus,
        timestamp: utc(p.timestamp, ctx.receivedAt),
        messageId: ctx.messageId,
      }),
    );
    return {};
  },
};

export const authorize: ActionSpec<{ idToken: { idToken: string; type: string } }> = {
  async handle(ctx, p) {
    const { charger, decision } = await readAndAuthorize(ctx, { value: p.idToken.idToken, type: p.idToken.type }, { chargerId: ctx.chargerId });
    requireAccepted(charger);
    return { idTokenInfo: idTokenInfoV2(decision ?? { verdict: 'Unknown' }) };
  },
};

interface NotifyReportReq {
  requestId: number;
  generatedAt: string;
  tbc?: boolean;
  seqNo: number;
  reportData?: unknown[];
}

export const notifyReport: ActionSpec<NotifyReportReq> = {
  async handle(ctx, p) {
    await ctx.stores.deviceReports.recordPage({
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

/** A notification kept on the charger's timeline; `status` names its latest-status field, if it has one. */
const timelineEntry = <Req extends object>(
  kind: TimelineKind,
  facts: (p: Req) => { at?: string; status?: string },
): ActionSpec<Req> => ({
  async handle(ctx, p) {
    const { at, status } = facts(p);
    await recordTimeline(
      ctx,
      { chargerId: ctx.chargerId, kind, at: utc(at, ctx.receivedAt), messageId: ctx.messageId, payload: p },
      status,
    );
    return {};
  },
});

export const notifyEvent = timelineEntry<{ generatedAt: string }>('NotifyEvent', (p) => ({ at: p.generatedAt }));
export const securityEventNotification = timelineEntry<{ type: string; timestamp: string }>('SecurityEvent', (p) => ({
  at: p.timestamp,
}));
export const firmwareStatusNotification = timelineEntry<{ status: string }>('FirmwareStatus', (p) => ({ status: p.status }));
export const logStatusNotification = timelineEntry<{ status: string }>('LogStatus', (p) => ({ status: p.status }));

/** 2.1 SEND: a periodic event stream's data (J02), kept on the timeline. */
export const notifyPeriodicEventStream = timelineEntry<{ id: number; basetime: string }>('PeriodicEventStream', (p) => ({ at: p.basetime }));
