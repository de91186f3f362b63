/**
 * Who may open an SFTP session, and where it lands. A charger logs in with its id as user name (any case) and the
 * upload token it was sent as password; the token is redeemed there and then (one session per token) and the session
 * is held to the folder of the file the token was issued for. AWS Transfer Family's identity provider and the local
 * stand-in both come here through the `sftp-identity` route's function; what a session may do in S3 is theirs.
 */
import type { Ports } from '../deps.ts';
import { uploadFolder } from './object-keys.ts';
import { redeemUploadToken, type UploadGrant, type UploadRefusal } from './upload-token.ts';

export interface UploadLogin {
  /** The SFTP user name: the charger's id, in any case. */
  readonly userName: string;
  /** The SFTP password: an upload token. */
  readonly password: string;
}

export type UploadLoginResult =
  | {
      readonly granted: true;
      /** The session's home and only folder in the files bucket (trailing slash). */
      readonly home: string;
      readonly grant: UploadGrant;
    }
  | { readonly granted: false; readonly reason: UploadRefusal };

/** Long enough for any charger id (48): a longer user name is someone else's garbage and is logged cut. */
const LOGGED_USER_NAME_LENGTH = 64;

/**
 * Redeems the password as an upload token of the user name's charger. A refusal is logged with its reason and the
 * user name, never the password; a refused token stays as it was (another charger's attempt burns nothing).
 */
export const authenticateUpload = async (deps: Pick<Ports, 'stores' | 'now' | 'log'>, login: UploadLogin): Promise<UploadLoginResult> => {
  const out = await redeemUploadToken(deps, login.password, { chargerId: login.userName });
  if (!out.granted) {
    deps.log.info('upload login refused', { userName: login.userName.slice(0, LOGGED_USER_NAME_LENGTH), reason: out.reason });
    return out;
  }
  const { grant } = out;
  const home = uploadFolder(grant.chargerId, grant.fileId);
  deps.log.info('upload login granted', { chargerId: grant.chargerId, commandId: grant.commandId, fileId: grant.fileId, kind: grant.kind, home });
  return { granted: true, home, grant };
};
