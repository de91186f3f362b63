/**
 * Files as operators reach them (issue 12, replacing the original's public file browser): a charger's files from the
 * table's index (never a listing of the bucket), one file's metadata, a short-lived link to its bytes, and deleting
 * it. The link is a presigned S3 GET signed by the calling function's role, so it can do no more than that role:
 * read this one object, for a few minutes.
 */
import { failure, success, type Outcome } from '../api/outcome.ts';
import type { Ports } from '../deps.ts';
import type { Page, PageOptions, TimeRange } from '../store/queries.ts';
import type { FileObjects } from './objects.ts';
import { fileView, type FileContent, type FileView } from './file-schema.ts';
import { safeFileName } from './object-keys.ts';

/** How long a content link works: enough to start a download, short enough that a pasted link soon dies. */
export const CONTENT_LINK_SECONDS = 300;

const notFound = (fileId: string) => failure('not-found', `No file ${fileId}`);

/** The bucket, which the host gives routes that may reach it: its absence is a wiring fault, not a caller's. */
const objectsOf = (deps: Ports): FileObjects => {
  const objects = deps.files?.objects;
  if (!objects) throw new Error('this route has no access to the files bucket (route access buckets: { Files })');
  return objects;
};

/** A charger's files (any case of its id), newest first, optionally created within `range`. */
export const listChargerFiles = async (deps: Ports, chargerId: string, range: TimeRange, page: PageOptions): Promise<Outcome<Page<FileView>>> => {
  const profile = await deps.stores.chargers.get(chargerId);
  if (!profile) return failure('not-found', `No charger ${chargerId}`);
  const listed = await deps.stores.files.listForCharger(profile.chargerId, { ...range, ...page });
  return success({ ...listed, items: listed.items.map(fileView) });
};

export const getFile = async (deps: Ports, fileId: string): Promise<Outcome<FileView>> => {
  const file = await deps.stores.files.get(fileId);
  return file ? success(fileView(file)) : notFound(fileId);
};

/**
 * A link to an uploaded file's bytes, valid for CONTENT_LINK_SECONDS. 409 while nothing has arrived, and once the
 * bytes are gone (the bucket's retention expired them): a link to nothing would only fail later, at S3, with XML.
 */
export const fileContentLink = async (deps: Ports, fileId: string): Promise<Outcome<FileContent>> => {
  const file = await deps.stores.files.get(fileId);
  if (!file) return notFound(fileId);
  if (file.status !== 'uploaded' || file.s3Key === undefined) {
    return failure('conflict', `File ${fileId} is ${file.status}: its content can be fetched once it is uploaded`);
  }
  const objects = objectsOf(deps);
  if (!(await objects.head(file.s3Key))) {
    return failure('conflict', `The content of file ${fileId} is no longer stored (the files bucket's retention removed it)`);
  }
  const name = safeFileName(file.name ?? file.s3Key);
  const expiresAt = new Date(deps.now().getTime() + CONTENT_LINK_SECONDS * 1000).toISOString();
  const url = await objects.presignGet(file.s3Key, CONTENT_LINK_SECONDS, name);
  return success({ url, expiresAt, name, ...(file.size !== undefined ? { size: file.size } : {}), ...(file.sha256 ? { sha256: file.sha256 } : {}) });
};

/**
 * Deletes a file: its bytes first, then its item together with its upload token. In that order every step can fail
 * without leaving something nobody can find: bytes gone under a remaining item are deleted again by a retry (S3's
 * delete of a missing key succeeds), while an item deleted first would leave bytes no route can name. The token
 * goes in the item's transaction, so a file deleted before its charger uploaded cannot be uploaded any more.
 * Deleting in a versioned bucket leaves the previous version until the bucket's lifecycle removes it.
 */
export const deleteFile = async (deps: Ports, fileId: string, by: string): Promise<Outcome<void>> => {
  const file = await deps.stores.files.get(fileId, true);
  if (!file) return notFound(fileId);
  if (file.s3Key !== undefined) await objectsOf(deps).delete(file.s3Key);
  // `not-found` here: a concurrent delete finished first, and the file is gone as asked.
  await deps.stores.files.delete(fileId);
  deps.log.info('file deleted', { fileId, ...(file.kind === 'firmware' ? {} : { chargerId: file.chargerId }), kind: file.kind, status: file.status, by });
  return success(undefined);
};
