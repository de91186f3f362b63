/** OCPP 1.6 charger-initiated messages other than transactions. */
import type { ActionSpec } from '../types.ts';
import { utc } from '../types.ts';
import { acceptBoot } from '../../charger/boot.ts';
import { connectorOfV16, recordStatus } from '../../charger/connector-status.ts';
import { recordTimeline, type TimelineKind } from '../../charger/timeline.ts';
import { authorizeToken } from '../../token/id-tokens.ts';
import { idTagInfoV16 } from '../token-info.ts';

interface BootNotificationReq {
  chargePointVendor: string;
  chargePointModel: string;
  chargePointSerialNumber?: string;
  chargeBoxSerialNumber?: string;
  firmwareVersion?: string;
  iccid?: string;
  imsi?: string;
  meterType?: string;
  meterSerialNumber?: string;
}

export const bootNotification: ActionSpec<BootNotificationReq> = {
  async handle(ctx, p) {
    const boot = await acceptBoot(
      ctx.store,
      ctx.chargerId,
      {
        vendor: p.chargePointVendor,
        model: p.chargePointModel,
        serialNumber: p.chargePointSerialNumber,
        chargeBoxSerialNumber: p.chargeBoxSerialNumber,
        firmwareVersion: p.firmwareVersion,
        iccid: p.iccid,
        imsi: p.imsi,
        meterType: p.meterType,
        meterSerialNumber: p.meterSerialNumber,
      },
      ctx.heartbeatIntervalSeconds,
    );
    return { status: boot.status, currentTime: ctx.receivedAt.toISOString(), interval: boot.intervalSeconds };
  },
};

interface StatusNotificationReq {
  connectorId: number;
  errorCode: string;
  status: string;
  info?: string;
  timestamp?: string;
  vendorId?: string;
  vendorErrorCode?: string;
}

export const statusNotification: ActionSpec<StatusNotificationReq> = {
  async handle(ctx, p) {
    await recordStatus(ctx.store, {
      chargerId: ctx.chargerId,
      ...connectorOfV16(p.connectorId),
      ocppConnectorId: p.connectorId,
      status: p.status,
      errorCode: p.errorCode,
      info: p.info,
      vendorId: p.vendorId,
      vendorErrorCode: p.vendorErrorCode,
      timestamp: utc(p.timestamp, ctx.receivedAt),
      messageId: ctx.messageId,
    });
    return {};
  },
};

export const authorize: ActionSpec<{ idTag: string }> = {
  requiresAcceptedCharger: true,
  async handle(ctx, p) {
    return { idTagInfo: idTagInfoV16(await authorizeToken(ctx.store, p.idTag)) };
  },
};

const statusTimeline = (kind: TimelineKind): ActionSpec<{ status: string }> => ({
  async handle(ctx, p) {
    await recordTimeline(
      ctx.store,
      { chargerId: ctx.chargerId, kind, at: ctx.receivedAt.toISOString(), messageId: ctx.messageId, payload: p },
      p.status,
    );
    return {};
  },
});

export const diagnosticsStatusNotification = statusTimeline('DiagnosticsStatus');
export const firmwareStatusNotification = statusTimeline('FirmwareStatus');
