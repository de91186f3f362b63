/**
 * A charger's timeline of notifications that are facts to keep but not state machines of their own:
 * firmware / diagnostics / log upload status, security events, NotifyEvent, DataTransfer, 2.x publish-firmware
 * status (a local controller's) and reservation status updates. The latest firmware, diagnostics and log status
 * are also kept on the presence item for a cheap "where is it now". Entries are keyed by time and content, so a
 * notification sent again is stored once; those the charger does not date (1.6 firmware / diagnostics status,
 * publish-firmware and reservation status) are dated on arrival, and a resend of one is stored again.
 */
import type { UnitOfWork } from '../deps.ts';
import type { UploadKind } from './presence.ts';

export type TimelineKind =
  | UploadKind
  | 'SecurityEvent'
  | 'NotifyEvent'
  | 'DataTransfer'
  | 'PeriodicEventStream'
  | 'ChargingLimit'
  | 'ChargingLimitCleared'
  | 'EVChargingNeeds'
  | 'EVChargingSchedule'
  // 2.1 only.
  | 'PeriodicEventStreamOpened'
  | 'PeriodicEventStreamClosed'
  | 'PriorityCharging'
  | 'Settlement'
  | 'BatterySwap'
  | 'DERAlarm'
  | 'DERStartStop'
  | 'PublishFirmwareStatus'
  | 'ReservationStatus';

export interface TimelineEntry {
  chargerId: string;
  kind: TimelineKind;
  /** When the charger says it happened (or when we received it, if it does not say). */
  at: string;
  messageId: string;
  payload: unknown;
}

const UPLOAD_KINDS: ReadonlySet<TimelineKind> = new Set<UploadKind>(['FirmwareStatus', 'DiagnosticsStatus', 'LogStatus']);
const isUploadKind = (kind: TimelineKind): kind is UploadKind => UPLOAD_KINDS.has(kind);

/** The entry joins the message's batch; the latest upload status, when there is one, is updated alongside. */
export const recordTimeline = (work: Pick<UnitOfWork, 'stores' | 'alongside'>, entry: TimelineEntry, latestStatus?: string): Promise<void> => {
  if (isUploadKind(entry.kind) && latestStatus !== undefined) {
    work.alongside(work.stores.presence.setLatestUploadStatus(entry.chargerId, entry.kind, latestStatus));
  }
  return work.stores.timeline.record(entry);
};
