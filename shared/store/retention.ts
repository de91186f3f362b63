/**
 * How long history is kept, in days, before DynamoDB TTL removes it. Transactions, charger profiles, connectors
 * and id tokens are state and are kept. Defaults are documented in docs/data-model.md; each can be set per stage.
 */
export interface Retention {
  /** Connector status reports. */
  readonly statusHistoryDays: number;
  /** Meter readings: long enough to settle a billing dispute (two years, beyond most networks' terms). */
  readonly meterValuesDays: number;
  /** Firmware / diagnostics / log status, security events, NotifyEvent, DataTransfer. */
  readonly timelineDays: number;
  /** Report pages and summaries of every kind (device model, monitoring, ...: a report is asked for again when needed). */
  readonly deviceReportDays: number;
  /** Raw 2.x TransactionEvents; the merged transaction is kept for good. */
  readonly transactionEventDays: number;
  /** Every OCPP frame in and out. */
  readonly messageLogDays: number;
}

export const DEFAULT_RETENTION: Retention = Object.freeze({
  statusHistoryDays: 90,
  meterValuesDays: 730,
  timelineDays: 365,
  deviceReportDays: 90,
  transactionEventDays: 730,
  messageLogDays: 30,
});

/** The `expiresAt` (epoch seconds, what TTL reads) of a fact recorded `at`, kept `days`. */
export const expiresAfter = (at: Date, days: number): number => Math.floor(at.getTime() / 1000) + days * 86_400;
