/**
 * The SFTP server chargers upload diagnostics and logs to: AWS Transfer Family, SFTP only, on a public endpoint, a
 * current security policy, and the `sftp-identity` route's function as its custom identity provider, asked for
 * password logins only (the password is an upload token; keys are never asked for). Every session runs as one role
 * that may only put objects under the bucket's charger uploads prefix (and see that prefix, and read folder markers:
 * what an upload-only client needs); the identity provider's session policy narrows each session to its file's
 * folder (functions/sftp/transfer-answer.ts). The server writes JSON structured logs to its own log group, kept as
 * long as the stage keeps logs. FTPS is not offered: docs/files.md says what it would take.
 *
 * A Transfer server bills by the hour while it exists, so the stage config decides whether there is one
 * (`sftp`, lib/stage-config.ts).
 */
import { Aws, Lazy, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPermission, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnServer } from 'aws-cdk-lib/aws-transfer';
import { Construct } from 'constructs';
import { CHARGER_UPLOADS_PREFIX } from '#shared/file/object-keys.ts';
import { nagReference } from './nag-reference.ts';

/** The newest security policy when this was written: SSH ciphers, key exchanges and MACs without SHA-1 or CBC. */
export const TRANSFER_SECURITY_POLICY = 'TransferSecurityPolicy-2024-01';

export interface FileTransferProps {
  /** Where sessions write (their folders are under its charger uploads prefix). */
  readonly bucket: IBucket;
  /** Of the server's log group. */
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** The name chargers are sent to, a CNAME to the server's endpoint. @default the server's own endpoint name */
  readonly hostName?: string;
}

export class FileTransfer extends Construct {
  /** The role Transfer assumes for every session; the identity provider answers it with each login. */
  readonly sessionRole: Role;
  readonly server: CfnServer;
  readonly logGroup: LogGroup;
  /** `sftp://<host>`: what upload locations name. */
  readonly url: string;
  private identityProvider?: IFunction;

  constructor(scope: Construct, id: string, props: FileTransferProps) {
    super(scope, id);
    const { bucket } = props;
    this.sessionRole = this.sessionRoleFor(bucket);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.server = new CfnServer(this, 'Server', {
      protocols: ['SFTP'],
      domain: 'S3',
      endpointType: 'PUBLIC',
      identityProviderType: 'AWS_LAMBDA',
      identityProviderDetails: {
        // The route's function is built after this construct (its environment names the session role).
        function: Lazy.string({ produce: () => this.identityProviderArn() }),
        sftpAuthenticationMethods: 'PASSWORD',
      },
      securityPolicyName: TRANSFER_SECURITY_POLICY,
      // Structured logs need no logging role (that one serves workflows and the legacy /aws/transfer/<id> group).
      structuredLogDestinations: [this.logGroup.logGroupArn],
    });
    this.url = `sftp://${props.hostName ?? `${this.server.attrServerId}.server.transfer.${Aws.REGION}.${Aws.URL_SUFFIX}`}`;
  }

  /** Makes `fn` the server's identity provider: the server names it, and Transfer (for this server only) may invoke it. */
  useIdentityProvider(fn: IFunction): void {
    if (this.identityProvider) throw new Error(`${this.node.path} has an identity provider already`);
    this.identityProvider = fn;
    new CfnPermission(this, 'InvokeIdentityProvider', {
      action: 'lambda:InvokeFunction',
      functionName: fn.functionArn,
      principal: 'transfer.amazonaws.com',
      sourceArn: this.server.attrArn,
      sourceAccount: Aws.ACCOUNT_ID,
    });
  }

  private identityProviderArn(): string {
    if (!this.identityProvider) throw new Error(`${this.node.path}: no identity provider (useIdentityProvider was never called)`);
    return this.identityProvider.functionArn;
  }

  private sessionRoleFor(bucket: IBucket): Role {
    const uploads = `${bucket.bucketArn}/${CHARGER_UPLOADS_PREFIX}*`;
    const role = new Role(this, 'SessionRole', {
      description: 'Charger SFTP sessions (Transfer Family): uploads under chargers/ only, each session narrowed to its file folder',
      assumedBy: new ServicePrincipal('transfer.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        // Sessions of this account's servers in this region. Naming this server's users would make the role wait
        // for the server, the server for its identity provider, and that function's environment for this role.
        ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:transfer:${Aws.REGION}:${Aws.ACCOUNT_ID}:user/*` },
      }),
    });
    role.addToPolicy(new PolicyStatement({ sid: 'Upload', actions: ['s3:PutObject'], resources: [uploads] }));
    // HeadObject of folder markers (keys ending in `/`, which mkdir makes): Transfer reads them when listing.
    role.addToPolicy(new PolicyStatement({ sid: 'ReadFolderMarkers', actions: ['s3:GetObject'], resources: [`${uploads}/`] }));
    role.addToPolicy(
      new PolicyStatement({
        sid: 'SeeUploads',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${CHARGER_UPLOADS_PREFIX}*`] } },
      }),
    );
    if (bucket.encryptionKey) {
      role.addToPolicy(
        new PolicyStatement({
          sid: 'EncryptUploads',
          // Decrypt too: S3 needs it to complete the multipart uploads Transfer makes of large files.
          actions: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
          resources: [bucket.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
        }),
      );
    }
    const bucketArn = nagReference(role, bucket, 'Arn');
    Validations.of(role).acknowledge(
      { id: `AwsSolutions-IAM5[Resource::${bucketArn}/${CHARGER_UPLOADS_PREFIX}*]`, reason: 'Each file has its own folder under chargers/, known only at login; the session policy narrows every session to its folder.' },
      { id: `AwsSolutions-IAM5[Resource::${bucketArn}/${CHARGER_UPLOADS_PREFIX}*/]`, reason: 'Folder markers only (keys ending in /), which Transfer reads when listing; no uploaded file can be read.' },
    );
    return role;
  }
}
