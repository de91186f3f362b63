/**
 * Where a file's bytes live in the files bucket. A charger's uploads sit under its own prefix (the charger id in
 * lower case, as ids are compared), so an SFTP session or a policy can be held to one charger; each file has its own
 * folder (its id), so a charger cannot overwrite another file, whatever name it gives.
 */
import { chargerIdKey } from '../charger/charger-id.ts';

export const CHARGER_UPLOADS_PREFIX = 'chargers/';
export const FIRMWARE_PREFIX = 'firmware/';
/** S3 allows 1024 bytes of key; a charger's name is cut to this many characters. */
const MAX_NAME_LENGTH = 200;
/** Used when a charger gives no usable name. */
export const DEFAULT_UPLOAD_NAME = 'upload.bin';

/**
 * A file name safe as the last part of a key and in a Content-Disposition header: the last path segment, without
 * control characters, quotes or backslashes, at most 200 characters; `fallback` when nothing is left.
 */
export const safeFileName = (name: string | undefined, fallback = DEFAULT_UPLOAD_NAME): string => {
  const last = (name ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = last.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, MAX_NAME_LENGTH);
  return cleaned === '' || /^\.+$/.test(cleaned) ? fallback : cleaned;
};

/** The folder of one charger's uploads (trailing slash). */
export const chargerUploadsPrefix = (chargerId: string): string => `${CHARGER_UPLOADS_PREFIX}${chargerIdKey(chargerId)}/`;

/** The folder of one uploaded file (trailing slash): a Transfer session's home, the upload endpoint's target. */
export const uploadFolder = (chargerId: string, fileId: string): string => `${chargerUploadsPrefix(chargerId)}${fileId}/`;

export const uploadObjectKey = (chargerId: string, fileId: string, name: string): string => `${uploadFolder(chargerId, fileId)}${safeFileName(name)}`;

export const firmwareObjectKey = (fileId: string, name: string): string => `${FIRMWARE_PREFIX}${fileId}/${safeFileName(name, 'firmware.bin')}`;

export type ParsedObjectKey =
  | { readonly kind: 'upload'; readonly chargerKey: string; readonly fileId: string; readonly name: string }
  | { readonly kind: 'firmware'; readonly fileId: string; readonly name: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * What a key of the files bucket names, or undefined for a key outside the layout (nothing to record). A name may
 * hold slashes: an SFTP client may create folders under the file's own.
 */
export const parseObjectKey = (key: string): ParsedObjectKey | undefined => {
  const parts = key.split('/');
  if (parts[0] === 'chargers' && parts.length >= 4 && parts[1] !== '' && UUID.test(parts[2]!)) {
    const name = parts.slice(3).join('/');
    return name === '' ? undefined : { kind: 'upload', chargerKey: parts[1]!, fileId: parts[2]!, name };
  }
  if (parts[0] === 'firmware' && parts.length >= 3 && UUID.test(parts[1]!)) {
    const name = parts.slice(2).join('/');
    return name === '' ? undefined : { kind: 'firmware', fileId: parts[1]!, name };
  }
  return undefined;
};
