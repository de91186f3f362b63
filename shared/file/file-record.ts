/**
 * A file a charger uploads to us (diagnostics, logs) or fetches from us (firmware): its metadata, kept in the table
 * apart from the bytes, which live in S3. A charger's file is listed per charger and its status follows the upload:
 * asked for (`requested`), the charger said it is uploading, the object landed (`uploaded`), or the charger reported
 * failure. A firmware image belongs to no charger: an operator declares it (`requested`, with the checksum the bytes
 * must have) and it is `uploaded` once an object with that checksum landed.
 */
export type ChargerFileKind = 'diagnostics' | 'log';
export type FileKind = ChargerFileKind | 'firmware';
export type FileStatus = 'requested' | 'uploading' | 'uploaded' | 'failed';

interface FileFields {
  readonly fileId: string;
  readonly status: FileStatus;
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
  /** When the charger's latest status notification on it (uploading, failed) arrived. */
  readonly reportedAt?: string;
}

/** A file a charger uploads on request. */
export interface ChargerFileRecord extends FileFields {
  readonly kind: ChargerFileKind;
  /** The charger's id as registered. */
  readonly chargerId: string;
  /** The command that asked for the file (GetDiagnostics, GetLog). */
  readonly commandId?: string;
  /** The command's request id, which the charger's LogStatusNotification echoes (GetLog). */
  readonly requestId?: number;
}

/** A firmware image an operator uploaded for chargers to fetch (shared/file/firmware.ts). */
export interface FirmwareRecord extends FileFields {
  readonly kind: 'firmware';
  /** The name the object has in the bucket (the operator's, made safe). */
  readonly name: string;
  /** Declared by the operator before the upload: S3 refuses other bytes, and only these are recorded as landed. */
  readonly sha256: string;
  readonly s3Key: string;
  readonly version?: string;
  /** PEM X.509 certificate the image was signed with (signed firmware). */
  readonly signingCertificate?: string;
  /** Base64 signature of the image (signed firmware). */
  readonly signature?: string;
  readonly description?: string;
  /** The operator who declared it. */
  readonly createdBy: string;
}

export type FileRecord = ChargerFileRecord | FirmwareRecord;

/** What landed in the bucket for a file: recorded once the object exists. */
export interface UploadedObject {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly s3Key: string;
  /** When it landed (our clock). */
  readonly at: string;
}
