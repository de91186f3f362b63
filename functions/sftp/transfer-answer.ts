/**
 * The answer an AWS Transfer Family custom identity provider gives for an accepted login: the role Transfer assumes,
 * a logical home (`/` is the file's folder, nothing above it is visible) and a session policy that narrows the role to
 * that folder. Transfer reads `HomeDirectoryDetails` and `Policy` as JSON text, not objects. An empty answer (`{}`)
 * denies the login. The local stand-in (bin/local/hosts/sftp.ts) honours the same answer.
 *
 * The session policy is the least an upload-only SFTP client needs on S3 (Transfer Family user guide, "Grant
 * ability to only write and list files"): PutObject into the folder; ListBucket on the folder's prefix (with or without its slash: a
 * file id is a UUID, so no other folder shares it), which Transfer uses to answer `stat`, `ls` and `cd`; and GetObject on folder markers only (keys ending in `/`, which
 * `mkdir` creates and Transfer reads when listing), so no uploaded file can be read back. No delete, no rename
 * (a copy and a delete on S3), no other prefix.
 */
import type { TransferFamilyAuthorizerResult } from 'aws-lambda';

export interface SessionPlace {
  /** The files bucket's name. */
  readonly bucket: string;
  /** The session's folder in it (trailing slash), e.g. `chargers/cp-1/<file id>/`. */
  readonly home: string;
  /** The role Transfer assumes for the session; its partition names the S3 ARNs. */
  readonly role: string;
}

const partitionOf = (roleArn: string): string => roleArn.split(':')[1] || 'aws';
const withoutSlash = (folder: string): string => folder.replace(/\/+$/, '');
/**
 * Text matched literally in an ARN or a StringLike condition: `*` and `?` are wildcards there, written `${*}` and
 * `${?}` when meant as themselves (IAM policy variables). A charger id may hold `*` (OCPP's identifierString).
 */
export const iamLiteral = (text: string): string => text.replace(/[*?$]/g, (c) => `\${${c}}`);

/** The session policy: upload into `home`, see it, read nothing but folder markers. */
export const sessionPolicy = ({ bucket, home: folder, role }: SessionPlace) => {
  const bucketArn = `arn:${partitionOf(role)}:s3:::${bucket}`;
  const home = iamLiteral(folder);
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'SeeOwnFolder', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': [withoutSlash(home), `${home}*`] } } },
      { Sid: 'UploadIntoOwnFolder', Effect: 'Allow', Action: 's3:PutObject', Resource: `${bucketArn}/${home}*` },
      { Sid: 'ReadFolderMarkersOnly', Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucketArn}/${home}*/` },
    ],
  };
};

/** The accepted login's answer. */
export const transferAnswer = (place: SessionPlace): TransferFamilyAuthorizerResult => ({
  Role: place.role,
  HomeDirectoryType: 'LOGICAL',
  HomeDirectoryDetails: JSON.stringify([{ Entry: '/', Target: `/${place.bucket}/${withoutSlash(place.home)}` }]),
  Policy: JSON.stringify(sessionPolicy(place)),
});
