/**
 * The event AWS Transfer Family sends its custom Lambda identity provider for a login, and the local stand-ins of
 * the server and the session role (bin/local/hosts/sftp.ts).
 * https://docs.aws.amazon.com/transfer/latest/userguide/custom-lambda-idp.html
 */
import type { TransferFamilyAuthorizerEvent } from 'aws-lambda';
import { LOCAL_ACCOUNT } from './ids.ts';

/** Transfer server ids look like `s-` and 17 hex digits. */
export const LOCAL_TRANSFER_SERVER_ID = 's-10ca1000000000000';
/** What the local `sftp-identity` function answers as the session role: the stand-in only checks one is named. */
export const LOCAL_SFTP_SESSION_ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT}:role/local-sftp-session`;

export const transferLoginEvent = (login: { readonly username: string; readonly password: string; readonly sourceIp: string }): TransferFamilyAuthorizerEvent => ({
  username: login.username,
  password: login.password,
  protocol: 'SFTP',
  serverId: LOCAL_TRANSFER_SERVER_ID,
  sourceIp: login.sourceIp,
});
