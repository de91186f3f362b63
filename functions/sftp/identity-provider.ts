/**
 * The SFTP server's custom identity provider (AWS Transfer Family's Lambda event; locally the ssh2 stand-in sends
 * the same): a charger's id and upload token in, the session's role, home folder and policy out, or `{}` (denied).
 * Only SFTP password logins are answered; the function never touches the bucket, it only names the folder.
 */
import type { TransferFamilyAuthorizerEvent, TransferFamilyAuthorizerResult } from 'aws-lambda';
import { authenticateUpload } from '#shared/file/sftp-identity.ts';
import { parseSftpIdentityEnv, SFTP_IDENTITY_VARS } from '../_common/env.ts';
import { deps, logger } from '../_common/runtime.ts';
import { withCsms } from '../_common/with-csms.ts';
import { transferAnswer } from './transfer-answer.ts';

const env = parseSftpIdentityEnv();
const DENIED: TransferFamilyAuthorizerResult = {};

const identify = async (event: TransferFamilyAuthorizerEvent): Promise<TransferFamilyAuthorizerResult> => {
  const where = { protocol: event.protocol, serverId: event.serverId, sourceIp: event.sourceIp };
  // FTPS would reach here with the same credentials; the server is SFTP only (docs/files.md, "FTPS").
  if (event.protocol !== 'SFTP' || typeof event.password !== 'string' || event.password === '') {
    logger.info('sftp login refused: not an SFTP password login', where);
    return DENIED;
  }
  const role = env[SFTP_IDENTITY_VARS.sessionRole];
  if (role === '') {
    logger.warn('sftp login refused: this stage has no SFTP session role', where);
    return DENIED;
  }
  const out = await authenticateUpload(deps, { userName: event.username, password: event.password });
  return out.granted ? transferAnswer({ bucket: env[SFTP_IDENTITY_VARS.bucket], home: out.home, role }) : DENIED;
};

export const handler = withCsms(identify);
