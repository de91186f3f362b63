/**
 * One-time upload tokens: what a charger presents to upload the file a command asked it for (in an HTTPS URL, or as
 * its SFTP user name and password). The token is 32 random bytes; only its SHA-256 is stored, so a reader of the
 * table cannot upload. A token is bound to the charger and the command, good once, and only until it expires by the
 * CSMS's clock: a charger's clock is never asked.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sameChargerId } from '../charger/charger-id.ts';
import type { Ports } from '../deps.ts';
import type { FileRecord } from './file-record.ts';

/** The files a charger uploads on request (firmware goes the other way). */
export type UploadKind = 'diagnostics' | 'log';

const TOKEN_BYTES = 32;
/** 32 bytes in base64url without padding. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;
/** Long enough for a charger that starts its upload late (OCPP lets it retry), short enough that a leaked URL dies. */
export const DEFAULT_UPLOAD_TOKEN_LIFETIME_SECONDS = 3_600;
/** A week: GetDiagnostics' `startTime`/`retries` rarely reach further; a longer wait wants a new command. */
export const MAX_UPLOAD_TOKEN_LIFETIME_SECONDS = 7 * 86_400;

/** What a redeemed token lets its bearer do: upload one file of this kind for this charger and command. */
export interface UploadGrant {
  /** As registered. */
  readonly chargerId: string;
  readonly commandId: string;
  readonly fileId: string;
  readonly kind: UploadKind;
}

/** A stored token, as the store returns it (its hash is its key). */
export interface UploadToken extends UploadGrant {
  /** ISO, by our clock. */
  readonly expiresAt: string;
  readonly usedAt?: string;
}

export type UploadRefusal = 'unknown' | 'expired' | 'used' | 'foreign';
export type RedeemResult = { readonly granted: true; readonly grant: UploadGrant } | { readonly granted: false; readonly reason: UploadRefusal };

export const newUploadToken = (): string => randomBytes(TOKEN_BYTES).toString('base64url');
/** Whether `text` could be a token we issued: anything else is unknown without asking the store. */
export const isUploadTokenFormat = (text: string): boolean => TOKEN_FORMAT.test(text);
/** The stored form of a token: SHA-256 of its text, hex. A slow hash buys nothing against 256 random bits. */
export const hashUploadToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * Why a redeem failed, from the token item its failed condition found (`undefined`: no such token). The condition
 * asked for unused, unexpired at `now`, and (when named) the caller's charger: the first of those the item breaks is
 * the reason, so a used token is `used` to anyone and a live one presented by another charger is `foreign`.
 */
export const refusalOf = (found: UploadToken | undefined, now: Date, chargerId?: string): UploadRefusal => {
  if (!found) return 'unknown';
  if (found.usedAt !== undefined) return 'used';
  if (found.expiresAt <= now.toISOString()) return 'expired';
  if (chargerId !== undefined && !sameChargerId(chargerId, found.chargerId)) return 'foreign';
  // The item meets every condition now, so it did when checked too: only a clock moving backwards gets here.
  return 'expired';
};

export interface UploadTokenRequest {
  /** As registered. */
  readonly chargerId: string;
  readonly commandId: string;
  readonly kind: UploadKind;
  /** @default DEFAULT_UPLOAD_TOKEN_LIFETIME_SECONDS */
  readonly lifetimeSeconds?: number;
  /**
   * The file's id, when the caller derives it (shared/file/upload-location.ts: a charger's status notification finds
   * the file by it); a taken one throws UploadFileExists. @default a random UUID
   */
  readonly fileId?: string;
  /** The request id the charger's status notifications echo (GetLog). */
  readonly requestId?: number;
}

/** The file id the caller chose is taken: nothing was written. */
export class UploadFileExists extends Error {
  override name = 'UploadFileExists';
  constructor(readonly fileId: string) {
    super(`file ${fileId} exists already`);
  }
}

export interface IssuedUploadToken {
  /** The token itself: shown once (in the URL or SFTP credentials sent to the charger), never stored. */
  readonly token: string;
  readonly fileId: string;
  readonly expiresAt: string;
}

type TokenPorts = Pick<Ports, 'stores' | 'now'>;

/** Issues a token for one upload and records the file it will bring as `requested`, both in one write. */
export const issueUploadToken = async (deps: TokenPorts, request: UploadTokenRequest): Promise<IssuedUploadToken> => {
  const lifetime = request.lifetimeSeconds ?? DEFAULT_UPLOAD_TOKEN_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > MAX_UPLOAD_TOKEN_LIFETIME_SECONDS) {
    throw new RangeError(`upload token lifetime must be 1 to ${MAX_UPLOAD_TOKEN_LIFETIME_SECONDS} whole seconds, not ${lifetime}`);
  }
  const now = deps.now();
  const token = newUploadToken();
  const file: FileRecord = {
    fileId: request.fileId ?? randomUUID(),
    chargerId: request.chargerId,
    kind: request.kind,
    status: 'requested',
    commandId: request.commandId,
    ...(request.requestId !== undefined ? { requestId: request.requestId } : {}),
    createdAt: now.toISOString(),
  };
  const stored: UploadToken = {
    chargerId: request.chargerId,
    commandId: request.commandId,
    fileId: file.fileId,
    kind: request.kind,
    expiresAt: new Date(now.getTime() + lifetime * 1000).toISOString(),
  };
  if ((await deps.stores.files.createRequested(file, hashUploadToken(token), stored)) === 'exists') {
    if (request.fileId !== undefined) throw new UploadFileExists(request.fileId);
    // 256 random bits and a random UUID: a clash means the generator is broken, not a race to recover from.
    throw new Error('a new upload token or file id is taken already');
  }
  return { token, fileId: file.fileId, expiresAt: stored.expiresAt };
};

/**
 * Redeems a token once: the grant, or why not. `chargerId`, when the caller knows who is asking (an upload URL under
 * a charger's path, an SFTP user name), must be the token's charger in any case. A refused token is left as it was.
 */
export const redeemUploadToken = async (deps: TokenPorts, token: string, caller: { readonly chargerId?: string } = {}): Promise<RedeemResult> => {
  if (!isUploadTokenFormat(token)) return { granted: false, reason: 'unknown' };
  const now = deps.now();
  const out = await deps.stores.files.redeemUploadToken(hashUploadToken(token), now, caller.chargerId);
  if (out.redeemed) {
    const { chargerId, commandId, fileId, kind } = out.token;
    return { granted: true, grant: { chargerId, commandId, fileId, kind } };
  }
  return { granted: false, reason: refusalOf(out.found, now, caller.chargerId) };
};

/**
 * Makes a token redeemed at `usedAt` good again, when what it was redeemed for did not happen (the upload was refused
 * or could not be stored): the charger's retry then succeeds instead of being refused as `used`. Only that redeem's
 * mark is removed; `not-held` when the token is no longer marked so.
 */
export const giveBackUploadToken = (deps: Pick<Ports, 'stores'>, token: string, usedAt: Date): Promise<'released' | 'not-held'> =>
  deps.stores.files.releaseUploadToken(hashUploadToken(token), usedAt);
