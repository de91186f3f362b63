/**
 * A charger's DiagnosticsStatusNotification (1.6) and LogStatusNotification (1.6 security extension, 2.x) move the
 * file the command asked for (upload-location.ts), alongside the message (its answer does not depend on it):
 *
 *   Uploading                 → `uploading` (a failure reported before is cleared: the charger tries again)
 *   UploadFailed, UploadFailure, BadMessage, NotSupportedOperation, PermissionDenied → `failed`, `failure` = the status
 *   Uploaded, Idle, AcceptedCanceled → nothing: the object's landing records `uploaded` (upload.ts, the bucket event),
 *                               Idle says no upload is under way, AcceptedCanceled that this request replaced another
 *
 * A file already `uploaded` is never taken back. Requests: one conditional UpdateItem when the notification names its
 * request id (the file id derives from the charger and it); 1.6 DiagnosticsStatusNotification names none, so one
 * Query of gsi2 (the charger's newest diagnostics file) and one UpdateItem. A notification for a request that has no
 * file (the operator gave the location) changes nothing. A charger reaches only its own files: the id derives from its
 * own id, and the update's condition checks it.
 */
import type { UnitOfWork } from '../deps.ts';
import type { ChargerFileKind } from './file-record.ts';
import { logFileId } from './upload-location.ts';

export type UploadStatusChange = { readonly status: 'uploading' } | { readonly status: 'failed'; readonly failure: string };

const FAILURES = new Set(['UploadFailed', 'UploadFailure', 'BadMessage', 'NotSupportedOperation', 'PermissionDenied']);

/** What a reported status does to the file; undefined: nothing. */
export const uploadStatusChange = (status: string): UploadStatusChange | undefined => {
  if (status === 'Uploading') return { status: 'uploading' };
  if (FAILURES.has(status)) return { status: 'failed', failure: status };
  return undefined;
};

export const recordUploadStatus = (
  ctx: Pick<UnitOfWork, 'stores' | 'alongside'> & { readonly chargerId: string; readonly receivedAt: Date },
  kind: ChargerFileKind,
  notification: { readonly status: string; readonly requestId?: number },
): void => {
  const change = uploadStatusChange(notification.status);
  if (!change) return;
  const { files } = ctx.stores;
  const report = { ...change, at: ctx.receivedAt.toISOString() };
  const update = (fileId: string) => files.reportUploadStatus(fileId, ctx.chargerId, kind, report);
  if (notification.requestId !== undefined) {
    ctx.alongside(update(logFileId(ctx.chargerId, notification.requestId)));
    return;
  }
  // Only 1.6 DiagnosticsStatusNotification names no request; a request-less LogStatusNotification cannot be placed.
  if (kind === 'diagnostics') ctx.alongside(files.newestDiagnostics(ctx.chargerId).then((fileId) => fileId !== undefined && update(fileId)));
};
