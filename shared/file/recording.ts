/**
 * Records an object that landed in the files bucket, whatever way it came in (an SFTP session, a presigned firmware
 * PUT, the upload endpoint, which records its own first): the bucket's ObjectCreated events name the key, and the key
 * names the file (shared/file/object-keys.ts). Only the file's own folder counts: an upload key must be under the
 * charger the file belongs to, a firmware key must be the image's declared one. Whatever does not fit is an outcome
 * (logged by the caller), never a write; only infrastructure failures throw, and then recording again is safe: an
 * object the record already describes changes nothing.
 */
import { chargerIdKey } from '../charger/charger-id.ts';
import type { Ports } from '../deps.ts';
import type { FileRecord } from './file-record.ts';
import { parseObjectKey, safeFileName } from './object-keys.ts';
import type { FileObjects } from './objects.ts';

export type RecordingPorts = Pick<Ports, 'stores' | 'now'> & { readonly objects: FileObjects };

/** One object the bucket reports as created. */
export interface Landing {
  /** The object key, decoded. */
  readonly key: string;
  /** When S3 says it landed (ISO); our clock when absent. */
  readonly at?: string;
}

/** Why a landing changed no record. */
export type LandingSkip =
  | 'outside-layout' // not a key of shared/file/object-keys.ts
  | 'folder' // a zero-byte folder marker (an SFTP `mkdir`), not a file
  | 'no-record' // no such file (deleted, or never asked for): the bucket's lifecycle removes the object
  | 'foreign-folder' // an upload key under another charger than the file's, or a firmware key that is not the image's
  | 'gone' // the object was deleted before it could be read
  | 'other-object' // the file is already recorded as another object of its folder (an SFTP session wrote a second file)
  | 'checksum-mismatch'; // a firmware image whose bytes are not the declared ones

export type LandingOutcome =
  | { readonly outcome: 'recorded'; readonly file: FileRecord }
  | { readonly outcome: 'unchanged'; readonly fileId: string }
  | { readonly outcome: 'skipped'; readonly reason: LandingSkip; readonly fileId?: string };

const skipped = (reason: LandingSkip, fileId?: string): LandingOutcome => ({ outcome: 'skipped', reason, ...(fileId ? { fileId } : {}) });

/** The key is the file's: its charger's folder for an upload, its declared key for firmware. */
const ownsKey = (file: FileRecord, parsed: NonNullable<ReturnType<typeof parseObjectKey>>, key: string): boolean =>
  parsed.kind === 'firmware'
    ? file.kind === 'firmware' && file.s3Key === key
    : file.kind !== 'firmware' && chargerIdKey(file.chargerId) === parsed.chargerKey;

/** Records one landed object on its file (`uploaded`, with name, size, SHA-256 and key), or says why not. */
export const recordLanding = async (deps: RecordingPorts, landing: Landing): Promise<LandingOutcome> => {
  const { key } = landing;
  const parsed = parseObjectKey(key);
  if (!parsed) return skipped('outside-layout');
  const { fileId } = parsed;
  if (key.endsWith('/')) return skipped('folder', fileId);
  const file = await deps.stores.files.get(fileId, true);
  if (!file) return skipped('no-record', fileId);
  // A hostile charger that found a way to write into another's folder must not complete that charger's file.
  if (!ownsKey(file, parsed, key)) return skipped('foreign-folder', fileId);
  // Before any read of the object: a session writing more files into its folder must not buy a read of each.
  if (file.status === 'uploaded' && file.s3Key !== key) return skipped('other-object', fileId);
  const head = await deps.objects.head(key);
  const sha256 = head && (head.sha256 ?? (await deps.objects.sha256Of(key)));
  if (!head || sha256 === undefined) return skipped('gone', fileId);
  if (file.status === 'uploaded') {
    if (file.size === head.size && file.sha256 === sha256) return { outcome: 'unchanged', fileId };
    // The same key written again (an SFTP client replacing its file): the record follows the object.
  }
  if (file.kind === 'firmware' && file.sha256 !== sha256) return skipped('checksum-mismatch', fileId);
  const name = file.kind === 'firmware' ? file.name : safeFileName(parsed.name);
  const at = landing.at ?? deps.now().toISOString();
  const recorded = await deps.stores.files.markUploaded(fileId, { name, size: head.size, sha256, s3Key: key, at });
  if (recorded) return { outcome: 'recorded', file: recorded };
  // Changed since the read: deleted, or another object of the folder recorded first (concurrent events).
  const now = await deps.stores.files.get(fileId, true);
  return skipped(now ? 'other-object' : 'no-record', fileId);
};
