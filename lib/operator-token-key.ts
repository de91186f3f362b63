/**
 * The HMAC key operator tokens are signed with (functions/_common/operator-token.ts), for routes whose access names
 * the `operatorTokenKey` secret. Secrets Manager generates it at first deploy; the function receives it through a
 * CloudFormation dynamic reference, as the origin secret (see OriginVerifySecret for the trade-offs).
 */
import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface OperatorTokenKeyProps {
  /** @default RemovalPolicy.RETAIN (the CDK default for secrets) */
  readonly removalPolicy?: RemovalPolicy;
}

export class OperatorTokenKey extends Construct {
  readonly secret: Secret;
  /** Dynamic reference to the value, for an env var. Never a literal. */
  readonly reference: string;

  constructor(scope: Construct, id: string, props: OperatorTokenKeyProps = {}) {
    super(scope, id);
    this.secret = new Secret(this, 'Resource', {
      description: 'HMAC-SHA256 key of operator bearer tokens',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      ...(props.removalPolicy ? { removalPolicy: props.removalPolicy } : {}),
    });
    this.reference = this.secret.secretValue.unsafeUnwrap();
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The authorizer reads the key at deploy time, so automatic rotation would not reach it; rotate by putting a new ' +
        'value and redeploying (every issued token, at most an hour old, then expires).',
    });
  }
}
