/**
 * Customer-managed KMS keys (`customerManagedKeys` in the stage config, on in prod): one for the DynamoDB tables,
 * one for the CloudWatch log groups, one for the files bucket. Owning the keys means the key policy, CloudTrail's
 * record of every use, and the option to revoke; AWS-owned keys give none of that. All rotate yearly.
 *
 * Every log group of the stack is encrypted by an aspect, so a log group a later construct adds cannot be missed.
 * Functions reach the table key through their table grants (lib/route-function.ts), the files key through their
 * bucket grants (CDK's bucket grants include the bucket's key).
 */
import { ArnFormat, Aspects, Aws, type IAspect, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { ServicePrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';

export interface EncryptionKeysProps {
  readonly removalPolicy: RemovalPolicy;
}

export class EncryptionKeys extends Construct {
  readonly tables: Key;
  readonly logs: Key;
  readonly files: Key;

  constructor(scope: Construct, id: string, props: EncryptionKeysProps) {
    super(scope, id);
    this.tables = new Key(this, 'Tables', {
      description: 'DynamoDB tables of the OCPP CSMS',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    this.logs = new Key(this, 'Logs', {
      description: 'CloudWatch log groups of the OCPP CSMS',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    this.files = new Key(this, 'Files', {
      description: 'Files bucket of the OCPP CSMS (diagnostics, logs, firmware)',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    // CloudWatch Logs encrypts with the caller's key only if the key policy lets the service use it, and only
    // for log groups of this account and region (the encryption context names the log group).
    this.logs.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchLogsOfThisAccount',
        principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
        resources: ['*'], // in a key policy, `*` is this key
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          },
        },
      }),
    );
  }

  /** Encrypts every log group in `scope` with the logs key. */
  encryptLogGroups(scope: IConstruct): void {
    const key = this.logs;
    const aspect: IAspect = {
      visit(node) {
        if (node instanceof CfnLogGroup && node.kmsKeyId === undefined) {
          node.kmsKeyId = key.keyArn;
          // The key policy must exist before CloudWatch Logs checks it.
          node.node.addDependency(key);
        }
      },
    };
    // Aspects run at synth over every construct, including ones added after this call.
    Aspects.of(scope).add(aspect);
  }
}
