/** OCPP 1.6 charger-initiated messages other than transactions. */
import type { Ocpp16Actions } from '../../ocpp/generated/ocpp16.types.ts';
import type { ActionSpec, Ocpp16ActionSpec } from '../types.ts';
import { chargerTimeOf, utc } from '../types.ts';
import { acceptBoot } from '../../charger/boot.ts';
import { receiveCertificateRequest } from '../../charger/certificate-request.ts';
import { connectorOfV16 } from '../../charger/connector-status.ts';
import { recordTimeline } from '../../charger/timeline.ts';
import { recordFirmwareStatus } from '../../file/firmware-update.ts';
import { recordUploadStatus } from '../../file/upload-status.ts';
import type { UploadKind } from '../../charger/presence.ts';
import { readAndAuthorize } from '../../token/id-tokens.ts';
import { idTagInfoV16 } from '../token-info.ts';

export const bootNotification: Ocpp16ActionSpec<'BootNotification'> = {
  async handle(ctx, p) {
    const boot = await acceptBoot(
      ctx,
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

export const statusNotification: Ocpp16ActionSpec<'StatusNotification'> = {
  async handle(ctx, p) {
    const time = chargerTimeOf(p.timestamp, ctx);
    // The answer does not depend on whether the report is newer than the connector's: written alongside.
    ctx.alongside(ctx.stores.connectors.putStatusIfNewer({
      chargerId: ctx.chargerId,
      ...connectorOfV16(p.connectorId),
      ocppConnectorId: p.connectorId,
      status: p.status,
      errorCode: p.errorCode,
      info: p.info,
      vendorId: p.vendorId,
      vendorErrorCode: p.vendorErrorCode,
      timestamp: time.at,
      ...(time.replaced ? { chargerTimestamp: time.replaced.sent } : {}),
      messageId: ctx.messageId,
    }));
    return {};
  },
};

export const authorize: Ocpp16ActionSpec<'Authorize'> = {
  async handle(ctx, p) {
    // Only an accepted charger gets here (registration-gate.ts): no read of its profile (its location only for a
    // token restricted to locations, id-tokens.ts).
    const { decision } = await readAndAuthorize(ctx, { value: p.idTag }, { presentedAt: ctx.chargerId });
    return { idTagInfo: idTagInfoV16(decision ?? { verdict: 'Unknown' }) };
  },
};

type StatusNotice =
  | 'DiagnosticsStatusNotification'
  | 'FirmwareStatusNotification'
  | 'LogStatusNotification'
  | 'SignedFirmwareStatusNotification';

/** The notices answer with an empty object; none carries a time of its own. */
const statusTimeline = <K extends StatusNotice>(
  kind: UploadKind,
): ActionSpec<Ocpp16Actions[K]['request'], Record<string, never>> => ({
  async handle(ctx, p) {
    await recordTimeline(
      ctx,
      { chargerId: ctx.chargerId, kind, at: ctx.receivedAt.toISOString(), messageId: ctx.messageId, payload: p },
      p.status,
    );
    return {};
  },
});

const diagnosticsStatusEntry = statusTimeline<'DiagnosticsStatusNotification'>('DiagnosticsStatus');
/** On the timeline, and on the charger's newest diagnostics file (1.6 names no request: shared/file/upload-status.ts). */
export const diagnosticsStatusNotification: Ocpp16ActionSpec<'DiagnosticsStatusNotification'> = {
  async handle(ctx, p) {
    recordUploadStatus(ctx, 'diagnostics', { status: p.status });
    return diagnosticsStatusEntry.handle(ctx, p);
  },
};
const firmwareStatusEntry = statusTimeline<'FirmwareStatusNotification'>('FirmwareStatus');
/** On the timeline, and on the charger's newest firmware update (1.6 names no request: shared/file/firmware-update.ts). */
export const firmwareStatusNotification: Ocpp16ActionSpec<'FirmwareStatusNotification'> = {
  async handle(ctx, p) {
    recordFirmwareStatus(ctx, { status: p.status });
    return firmwareStatusEntry.handle(ctx, p);
  },
};

// The security extension (whitepaper "Improved security for OCPP 1.6-J").

const logStatusEntry = statusTimeline<'LogStatusNotification'>('LogStatus');
/** On the timeline, and on the log file of the request it names (shared/file/upload-status.ts). */
export const logStatusNotification: Ocpp16ActionSpec<'LogStatusNotification'> = {
  async handle(ctx, p) {
    recordUploadStatus(ctx, 'log', { status: p.status, ...(p.requestId !== undefined ? { requestId: p.requestId } : {}) });
    return logStatusEntry.handle(ctx, p);
  },
};
const signedFirmwareStatusEntry = statusTimeline<'SignedFirmwareStatusNotification'>('FirmwareStatus');
/**
 * The status of a SignedUpdateFirmware: a firmware status like any other, with the signature checks added; on the
 * update of the request it names.
 */
export const signedFirmwareStatusNotification: Ocpp16ActionSpec<'SignedFirmwareStatusNotification'> = {
  async handle(ctx, p) {
    recordFirmwareStatus(ctx, { status: p.status, ...(p.requestId !== undefined ? { requestId: p.requestId } : {}) });
    return signedFirmwareStatusEntry.handle(ctx, p);
  },
};

export const securityEventNotification: Ocpp16ActionSpec<'SecurityEventNotification'> = {
  async handle(ctx, p) {
    await recordTimeline(ctx, { chargerId: ctx.chargerId, kind: 'SecurityEvent', at: utc(p.timestamp, ctx), messageId: ctx.messageId, payload: p });
    return {};
  },
};

/** Always Rejected until the platform has a certificate signer; the CSR is kept (charger/certificate-request.ts). */
export const signCertificate: Ocpp16ActionSpec<'SignCertificate'> = {
  async handle(ctx, p) {
    const status = await receiveCertificateRequest(ctx, {
      chargerId: ctx.chargerId,
      protocol: ctx.protocol,
      messageId: ctx.messageId,
      receivedAt: ctx.receivedAt.toISOString(),
      csr: p.csr,
    });
    return { status };
  },
};
