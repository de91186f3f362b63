/**
 * A file a charger uploads to us (diagnostics, logs) or fetches from us (firmware): its metadata, kept in the table
 * and listed per charger, apart from the bytes, which live in S3. The status follows the upload: asked for
 * (`requested`), the charger said it is uploading, the object landed (`uploaded`), or the charger reported failure.
 */
export type FileKind = 'diagnostics' | 'log' | 'firmware';
export type FileStatus = 'requested' | 'uploading' | 'uploaded' | 'failed';

export interface FileRecord {
  readonly fileId: string;
  /** The charger's id as registered. */
  readonly chargerId: string;
  readonly kind: FileKind;
  readonly status: FileStatus;
  /** The command that asked for the file (GetDiagnostics, GetLog, UpdateFirmware). */
  readonly commandId?: string;
  /** The file name the charger gave, or the operator's for firmware. */
  readonly name?: string;
  /** Bytes. */
  readonly size?: number;
  /** SHA-256 of the content, hex. */
  readonly sha256?: string;
  /** Where the bytes are in the files bucket. */
  readonly s3Key?: string;
  readonly createdAt: string;
  readonly uploadedAt?: string;
  /** What the charger reported when the upload failed (e.g. its status `UploadFailed`). */
  readonly failure?: string;
}

/** What landed in the bucket for a file: recorded once the object exists. */
export interface UploadedObject {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly s3Key: string;
  /** When it landed (our clock). */
  readonly at: string;
}
