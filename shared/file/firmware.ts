/**
 * Firmware images operators upload for chargers to fetch (issue 12). An operator declares an image (its name and the
 * SHA-256 of its bytes, and for signed firmware the signing certificate and signature) and gets a presigned S3 PUT
 * bound to that checksum: S3 refuses any other bytes, and the bucket's event marks the image `uploaded` once the object
 * landed (file-store `markUploaded`, which also checks the checksum). Only an uploaded image can be sent to chargers
 * (firmware-update.ts). Images are listed newest first from an index, never from an S3 listing.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { failure, success, type Outcome } from '../api/outcome.ts';
import type { Ports } from '../deps.ts';
import type { Page, PageOptions } from '../store/queries.ts';
import type { FileObjects, PresignedPut } from './objects.ts';
import type { FirmwareRecord } from './file-record.ts';
import { firmwareObjectKey, safeFileName } from './object-keys.ts';

/** How long the operator has to start the PUT of the image. */
export const FIRMWARE_UPLOAD_SECONDS = 15 * 60;
/** The name the object gets when the operator's leaves nothing usable. */
const DEFAULT_FIRMWARE_NAME = 'firmware.bin';

/** PEM: one or more `-----BEGIN …-----` blocks; the charger parses it, we only keep it from being something else. */
const PEM = /^-----BEGIN [A-Z0-9 ]+-----[\s\S]+-----END [A-Z0-9 ]+-----\s*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export const DeclareFirmwareSchema = z
  .strictObject({
    /** The image's file name (the object's last path segment, made safe). */
    name: z.string().min(1).max(200),
    /** SHA-256 of the image, hex: S3 accepts only bytes with this checksum. */
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'the SHA-256 of the image: 64 hex digits')
      .transform((hex) => hex.toLowerCase()),
    version: z.string().min(1).max(50).optional(),
    /** PEM X.509 certificate the image was signed with (OCPP allows 5500 characters). */
    signingCertificate: z.string().max(5500).regex(PEM, 'a PEM certificate').optional(),
    /** Base64 signature of the image (OCPP allows 800 characters). */
    signature: z.string().max(800).regex(BASE64, 'base64').optional(),
    description: z.string().min(1).max(500).optional(),
  })
  .refine((b) => (b.signingCertificate === undefined) === (b.signature === undefined), {
    message: 'signed firmware has both a signingCertificate and a signature',
    path: ['signature'],
  });
export type DeclareFirmware = z.output<typeof DeclareFirmwareSchema>;

export const FirmwareSchema = z.object({
  fileId: z.string(),
  kind: z.literal('firmware'),
  /** `requested` until the object with the declared checksum landed, then `uploaded`. */
  status: z.enum(['requested', 'uploaded']),
  name: z.string(),
  sha256: z.string(),
  s3Key: z.string(),
  version: z.string().optional(),
  signingCertificate: z.string().optional(),
  signature: z.string().optional(),
  description: z.string().optional(),
  size: z.number().int().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
  uploadedAt: z.string().optional(),
});

export const DeclaredFirmwareSchema = FirmwareSchema.extend({
  /** PUT the image here with these headers before `expiresAt` (e.g. `curl -X PUT -H 'x-amz-checksum-sha256: …' -T fw.bin '<url>'`). */
  upload: z.object({ url: z.string(), headers: z.record(z.string(), z.string()), expiresAt: z.string() }),
});

export interface DeclaredFirmware extends FirmwareRecord {
  readonly upload: PresignedPut & { readonly expiresAt: string };
}

/** The files bucket, which a route that signs URLs for it must have (its access names the bucket). */
export const bucketOf = (deps: Ports): FileObjects => {
  const objects = deps.files?.objects;
  if (!objects) throw new Error("the files bucket is not configured for this route (its access names no 'Files' bucket)");
  return objects;
};

/** Records the image `requested` and signs the PUT that may bring it (only its declared bytes). */
export const declareFirmware = async (deps: Ports, input: { readonly body: DeclareFirmware; readonly createdBy: string }): Promise<DeclaredFirmware> => {
  const objects = bucketOf(deps);
  const now = deps.now();
  const fileId = randomUUID();
  const name = safeFileName(input.body.name, DEFAULT_FIRMWARE_NAME);
  const { name: _asGiven, ...declared } = input.body;
  const firmware: FirmwareRecord = {
    ...declared,
    fileId,
    kind: 'firmware',
    status: 'requested',
    name,
    s3Key: firmwareObjectKey(fileId, name),
    createdAt: now.toISOString(),
    createdBy: input.createdBy,
  };
  // A random UUID: a clash means the generator is broken, not a race to recover from.
  if ((await deps.stores.files.createFirmware(firmware)) === 'exists') throw new Error(`firmware id ${fileId} is taken already`);
  const put = await objects.presignPut(firmware.s3Key, FIRMWARE_UPLOAD_SECONDS, { sha256: firmware.sha256 });
  return { ...firmware, upload: { ...put, expiresAt: new Date(now.getTime() + FIRMWARE_UPLOAD_SECONDS * 1000).toISOString() } };
};

const noFirmware = (fileId: string) => failure('not-found', `No firmware ${fileId}`);

/** A firmware image by id; a file of another kind is no firmware. */
export const getFirmware = async (deps: Ports, fileId: string): Promise<Outcome<FirmwareRecord>> => {
  const file = await deps.stores.files.get(fileId);
  return file?.kind === 'firmware' ? success(file) : noFirmware(fileId);
};

export const listFirmware = (deps: Ports, page: PageOptions): Promise<Page<FirmwareRecord>> => deps.stores.files.listFirmware(page);

/**
 * The image a command may point a charger at: it exists and its bytes landed (read strongly: the operator sends the
 * command right after the upload).
 */
export const uploadedFirmware = async (deps: Ports, fileId: string): Promise<Outcome<FirmwareRecord>> => {
  const file = await deps.stores.files.get(fileId, true);
  if (file?.kind !== 'firmware') return noFirmware(fileId);
  if (file.status !== 'uploaded') {
    return failure('conflict', `Firmware ${fileId} is not uploaded yet (status ${file.status}): PUT the image to the upload URL POST /firmware gave, then send the command`, '/firmwareId');
  }
  return success(file);
};
