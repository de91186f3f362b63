/**
 * Firmware images operators upload for chargers to fetch (issue 12). An operator declares an image (its name and the
 * SHA-256 of its bytes, and for signed firmware the signing certificate and signature) and gets a presigned S3 PUT
 * bound to that checksum: S3 refuses any other bytes, and the bucket's event marks the image `uploaded` once the object
 * landed (file-store `markUploaded`, which also checks the checksum). Only an uploaded image can be sent to chargers
 * (firmware-update.ts). Images are listed newest first from an index, never from an S3 listing.
 */
import { randomUUID } from 'node:crypto';
import { failure, success, type Outcome } from '../api/outcome.ts';
import type { Ports } from '../deps.ts';
import type { Page, PageOptions } from '../store/queries.ts';
import type { FileObjects, PresignedPut } from './objects.ts';
import type { DeclareFirmware } from './firmware-api.ts';
import type { FirmwareRecord } from './file-record.ts';
import { firmwareObjectKey, safeFileName } from './object-keys.ts';

/** How long the operator has to start the PUT of the image. */
export const FIRMWARE_UPLOAD_SECONDS = 15 * 60;
/** The name the object gets when the operator's leaves nothing usable. */
const DEFAULT_FIRMWARE_NAME = 'firmware.bin';

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
