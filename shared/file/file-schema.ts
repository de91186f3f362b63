/**
 * Files as the REST API shows them (`GET /files/{id}`, `GET /chargers/{id}/files`) and the answer of
 * `GET /files/{id}/content`. The view is the record without where its bytes sit in the bucket: the content route is
 * the way to them. Fields a later kind of file adds pass through (firmware belongs to no charger: `chargerId` is
 * optional).
 */
import * as z from 'zod';
import type { FileKind, FileRecord, FileStatus } from './file-record.ts';

const FILE_KINDS = ['diagnostics', 'log', 'firmware'] as const satisfies readonly FileKind[];
const FILE_STATUSES = ['requested', 'uploading', 'uploaded', 'failed'] as const satisfies readonly FileStatus[];

const iso = z.iso.datetime();

export const FileViewSchema = z.object({
  fileId: z.string(),
  /** The charger's id as registered; absent for firmware images, which belong to no charger. */
  chargerId: z.string().optional(),
  kind: z.enum(FILE_KINDS),
  /** requested (asked for, nothing arrived yet) → uploading (the charger said so) → uploaded | failed. */
  status: z.enum(FILE_STATUSES),
  /** The command that asked for it. */
  commandId: z.string().optional(),
  /** The command's request id (GetLog), which the charger's status notifications echo. */
  requestId: z.number().int().optional(),
  /** The name the charger gave (the operator's for firmware). */
  name: z.string().optional(),
  /** Bytes. */
  size: z.number().int().optional(),
  /** SHA-256 of the content, hex. */
  sha256: z.string().optional(),
  createdAt: iso,
  uploadedAt: iso.optional(),
  /** What the charger reported when the upload failed. */
  failure: z.string().optional(),
  /** When the charger's latest status notification on it arrived. */
  reportedAt: iso.optional(),
});
export type FileView = z.output<typeof FileViewSchema>;

/** The record as operators see it: everything but its object key. */
export const fileView = (file: FileRecord): FileView => {
  const { s3Key: _key, ...view } = file;
  return view;
};

/** `GET /files/{id}/content`: `redirect=true` answers 303 to the link instead of the link as JSON. */
export const FileContentQuery = z.strictObject({ redirect: z.enum(['true', 'false']).default('false') });

/** A short-lived link to a file's bytes (a presigned S3 GET) and what to check them against. */
export const FileContentSchema = z.object({
  url: z.string(),
  /** When the link stops working (ISO): fetch it before then, or ask again. */
  expiresAt: iso,
  name: z.string(),
  size: z.number().int().optional(),
  sha256: z.string().optional(),
});
export type FileContent = z.output<typeof FileContentSchema>;
