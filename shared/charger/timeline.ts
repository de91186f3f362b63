/**
 * A charger's timeline of notifications that are facts to keep but not state machines of their own:
 * firmware / diagnostics / log upload status, security events, NotifyEvent, DataTransfer. The latest
 * firmware, diagnostics and log status are also kept on the presence item for a cheap "where is it now".
 * Items are keyed by time and content, so a notification sent again is stored once; those the charger does not
 * date (1.6 firmware / diagnostics status) are dated on arrival, and a resend of one is stored again.
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mapPage, queryPage, type Page, type PageOptions } from '../store/queries.ts';
import type { StoreDeps } from '../deps.ts';
import { chargerKey, contentKey, timelinePk, withoutKeys } from '../store/keys.ts';
import { redactPayload } from '../log/redact.ts';

export type TimelineKind =
  | 'FirmwareStatus'
  | 'DiagnosticsStatus'
  | 'LogStatus'
  | 'SecurityEvent'
  | 'NotifyEvent'
  | 'DataTransfer';

export interface TimelineEntry {
  chargerId: string;
  kind: TimelineKind;
  /** When the charger says it happened (or when we received it, if it does not say). */
  at: string;
  messageId: string;
  payload: unknown;
}

/** The presence attribute holding the latest status for kinds that have one. */
const LATEST_STATUS: Partial<Record<TimelineKind, string>> = {
  FirmwareStatus: 'firmwareStatus',
  DiagnosticsStatus: 'diagnosticsStatus',
  LogStatus: 'logStatus',
};

export const recordTimeline = async (deps: StoreDeps, entry: TimelineEntry, latestStatus?: string): Promise<void> => {
  const receivedAt = deps.now().toISOString();
  const writes: Promise<unknown>[] = [
    deps.db.send(
      new PutCommand({
        TableName: deps.tables.csms,
        Item: {
          pk: timelinePk(entry.chargerId),
          sk: `${entry.at}#${contentKey([entry.kind, entry.payload])}`,
          type: 'TimelineEntry',
          ...entry,
          payload: redactPayload(entry.payload),
          receivedAt,
        },
      }),
    ),
  ];
  const attribute = LATEST_STATUS[entry.kind];
  if (attribute && latestStatus !== undefined) {
    writes.push(
      deps.db.send(
        new UpdateCommand({
          TableName: deps.tables.csms,
          Key: { pk: chargerKey(entry.chargerId).pk, sk: 'PRESENCE' },
          UpdateExpression: 'SET #attr = :status, #attrAt = :at',
          ExpressionAttributeNames: { '#attr': attribute, '#attrAt': `${attribute}At` },
          ExpressionAttributeValues: { ':status': latestStatus, ':at': receivedAt },
        }),
      ),
    );
  }
  await Promise.all(writes);
};

/** Newest first unless asked otherwise. */
export const listTimeline = async (deps: StoreDeps, chargerId: string, options: PageOptions = {}): Promise<Page<TimelineEntry>> =>
  mapPage(await queryPage(deps, { pk: timelinePk(chargerId) }, { newestFirst: true, ...options }), (i) => withoutKeys<TimelineEntry>(i));
