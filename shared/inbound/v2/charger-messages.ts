/** OCPP 2.0.1 / 2.1 charger-initiated messages other than transactions (same payloads in both versions). */
import type { ActionSpec, Ocpp2ActionSpec, Ocpp2Request } from '../types.ts';
import { chargerTimeOf, utc } from '../types.ts';
import { acceptBoot } from '../../charger/boot.ts';
import { NO_SIGNER_STATUS_INFO, receiveCertificateRequest } from '../../charger/certificate-request.ts';
import { recordTimeline, type TimelineKind } from '../../charger/timeline.ts';
import { recordFirmwareStatus } from '../../file/firmware-update.ts';
import { recordUploadStatus } from '../../file/upload-status.ts';
import { readAndAuthorize } from '../../token/id-tokens.ts';
import { recordReservationReport } from '../../reservation/reservation-ends.ts';
import { idTokenInfoV2 } from '../token-info.ts';
import type { Ocpp21Actions, Ocpp21Sends } from '../../ocpp/generated/ocpp21.types.ts';

export const bootNotification: Ocpp2ActionSpec<'BootNotification'> = {
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

export const statusNotification: Ocpp2ActionSpec<'StatusNotification'> = {
  async handle(ctx, p) {
    const time = chargerTimeOf(p.timestamp, ctx);
    // The answer does not depend on whether the report is newer than the connector's: written alongside.
    ctx.alongside(
      ctx.stores.connectors.putStatusIfNewer({
        chargerId: ctx.chargerId,
        evseId: p.evseId,
        connectorId: p.connectorId,
        status: p.connectorStatus,
        timestamp: time.at,
        ...(time.replaced ? { chargerTimestamp: time.replaced.sent } : {}),
        messageId: ctx.messageId,
      }),
    );
    return {};
  },
};

export const authorize: Ocpp2ActionSpec<'Authorize'> = {
  async handle(ctx, p) {
    // Only an accepted charger gets here (registration-gate.ts): no read of its profile (its location only for a
    // token restricted to locations, id-tokens.ts).
    const { decision } = await readAndAuthorize(ctx, { value: p.idToken.idToken, type: p.idToken.type }, { presentedAt: ctx.chargerId });
    return { idTokenInfo: idTokenInfoV2(decision ?? { verdict: 'Unknown' }) };
  },
};

type TimelineAction =
  | 'NotifyEvent'
  | 'NotifyChargingLimit'
  | 'ClearedChargingLimit'
  | 'SecurityEventNotification'
  | 'FirmwareStatusNotification'
  | 'LogStatusNotification'
  | 'PublishFirmwareStatusNotification'
  | 'ReservationStatusUpdate';

/**
 * A notification of request type `R` kept on the charger's timeline, answered with an empty object; `status` names
 * its latest-status field, if it has one.
 */
export const keptOnTimeline = <R>(
  kind: TimelineKind,
  facts: (p: R) => { at?: string | undefined; status?: string },
): ActionSpec<R, Record<string, never>> => ({
  async handle(ctx, p) {
    const { at, status } = facts(p);
    await recordTimeline(
      ctx,
      { chargerId: ctx.chargerId, kind, at: utc(at, ctx), messageId: ctx.messageId, payload: p },
      status,
    );
    return {};
  },
});

/** The same, for an action both 2.x versions have. */
const timelineEntry = <K extends TimelineAction>(kind: TimelineKind, facts: (p: Ocpp2Request<K>) => { at?: string; status?: string }) =>
  keptOnTimeline<Ocpp2Request<K>>(kind, facts);

export const notifyEvent: Ocpp2ActionSpec<'NotifyEvent'> = timelineEntry('NotifyEvent', (p) => ({ at: p.generatedAt }));
export const securityEventNotification: Ocpp2ActionSpec<'SecurityEventNotification'> = timelineEntry('SecurityEvent', (p) => ({
  at: p.timestamp,
}));
const firmwareStatusEntry = timelineEntry<'FirmwareStatusNotification'>('FirmwareStatus', (p) => ({ status: p.status }));
/** On the timeline, and on the firmware update of the request it names (shared/file/firmware-update.ts). */
export const firmwareStatusNotification: Ocpp2ActionSpec<'FirmwareStatusNotification'> = {
  async handle(ctx, p) {
    recordFirmwareStatus(ctx, { status: p.status, ...(p.requestId !== undefined ? { requestId: p.requestId } : {}) });
    return firmwareStatusEntry.handle(ctx, p);
  },
};
const logStatusEntry = timelineEntry<'LogStatusNotification'>('LogStatus', (p) => ({ status: p.status }));
/** On the timeline, and on the log file of the request it names (shared/file/upload-status.ts). */
export const logStatusNotification: Ocpp2ActionSpec<'LogStatusNotification'> = {
  async handle(ctx, p) {
    recordUploadStatus(ctx, 'log', { status: p.status, ...(p.requestId !== undefined ? { requestId: p.requestId } : {}) });
    return logStatusEntry.handle(ctx, p);
  },
};
/** A local controller's progress publishing firmware to its stations (L03); its status is not kept on presence. */
export const publishFirmwareStatusNotification: Ocpp2ActionSpec<'PublishFirmwareStatusNotification'> = timelineEntry('PublishFirmwareStatus', () => ({}));

const reservationStatusEntry = timelineEntry<'ReservationStatusUpdate'>('ReservationStatus', () => ({}));

/**
 * A reservation ended without being used (Expired, Removed; 2.1 also NoTransaction): on the timeline, and on the
 * reservation's item its last status, closing it when open (and freeing its EVSE), alongside (the answer does not
 * depend on it).
 */
export const reservationStatusUpdate: Ocpp2ActionSpec<'ReservationStatusUpdate'> = {
  async handle(ctx, p) {
    ctx.alongside(
      recordReservationReport(ctx, {
        chargerId: ctx.chargerId,
        reservationId: p.reservationId,
        status: p.reservationUpdateStatus,
        at: ctx.receivedAt.toISOString(),
      }),
    );
    return reservationStatusEntry.handle(ctx, p);
  },
};

/**
 * Smart charging (K12, K13): a limit an external system (an energy management system, the DSO) set on the charger,
 * or its end. Kept on the timeline for the operator; nothing here plans charging on it yet.
 */
export const notifyChargingLimit: Ocpp2ActionSpec<'NotifyChargingLimit'> = timelineEntry('ChargingLimit', () => ({}));
export const clearedChargingLimit: Ocpp2ActionSpec<'ClearedChargingLimit'> = timelineEntry('ChargingLimitCleared', () => ({}));

/**
 * An ISO 15118 EV's charging needs (K15–K17), kept on the timeline. The CSMS computes no charging schedule yet, so
 * it answers that none will follow (K15.FR.03 keeps `Accepted` for a CSMS that will send one): 2.0.1 `Rejected`,
 * 2.1 its own `NoChargingProfile`. Either way the charger charges by its own limits.
 */
const recordChargingNeeds = (ctx: Parameters<Ocpp2ActionSpec<'NotifyEVChargingNeeds'>['handle']>[0], p: Ocpp2Request<'NotifyEVChargingNeeds'>) =>
  recordTimeline(ctx, {
    chargerId: ctx.chargerId,
    kind: 'EVChargingNeeds',
    at: utc('timestamp' in p ? p.timestamp : undefined, ctx),
    messageId: ctx.messageId,
    payload: p,
  });
export const notifyEVChargingNeeds: Ocpp2ActionSpec<'NotifyEVChargingNeeds'> = {
  async handle(ctx, p) {
    await recordChargingNeeds(ctx, p);
    return { status: 'Rejected', statusInfo: { reasonCode: 'NoChargingProfile', additionalInfo: 'This CSMS sends no charging schedule' } };
  },
};
export const notifyEVChargingNeeds21: ActionSpec<Ocpp21Actions['NotifyEVChargingNeeds']['request'], Ocpp21Actions['NotifyEVChargingNeeds']['response']> = {
  async handle(ctx, p) {
    await recordChargingNeeds(ctx, p);
    return { status: 'NoChargingProfile' };
  },
};

/**
 * The schedule the EV chose (K15.FR.10–12): `Accepted` when it is within the CSMS's schedule; the CSMS set none, so
 * it is. Kept on the timeline.
 */
export const notifyEVChargingSchedule: Ocpp2ActionSpec<'NotifyEVChargingSchedule'> = {
  async handle(ctx, p) {
    await recordTimeline(ctx, { chargerId: ctx.chargerId, kind: 'EVChargingSchedule', at: utc(p.timeBase, ctx), messageId: ctx.messageId, payload: p });
    return { status: 'Accepted' };
  },
};

/** 2.1 SEND: a periodic event stream's data (J02), kept on the timeline. */
export const notifyPeriodicEventStream: ActionSpec<Ocpp21Sends['NotifyPeriodicEventStream']['request'], void> = {
  async handle(ctx, p) {
    await recordTimeline(ctx, {
      chargerId: ctx.chargerId,
      kind: 'PeriodicEventStream',
      at: utc(p.basetime, ctx),
      messageId: ctx.messageId,
      payload: p,
    });
  },
};

/** Always Rejected, with the reason, until the platform has a certificate signer (charger/certificate-request.ts). */
export const signCertificate: Ocpp2ActionSpec<'SignCertificate'> = {
  async handle(ctx, p) {
    // A 2.0.1 request is a 2.1 one without 2.1's optional fields (requestId, hashRootCertificate).
    const request: Ocpp21Actions['SignCertificate']['request'] = p;
    const status = await receiveCertificateRequest(ctx, {
      chargerId: ctx.chargerId,
      protocol: ctx.protocol,
      messageId: ctx.messageId,
      receivedAt: ctx.receivedAt.toISOString(),
      csr: request.csr,
      certificateType: request.certificateType,
      requestId: request.requestId,
      hashRootCertificate: request.hashRootCertificate,
    });
    return { status, statusInfo: { ...NO_SIGNER_STATUS_INFO } };
  },
};
