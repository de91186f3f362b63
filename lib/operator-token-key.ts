/**
 * The HMAC key operator tokens are signed with (functions/_common/operator-token.ts), for routes whose access names
 * the `operatorTokenKey` secret. Secrets Manager generates it at first deploy; the function reads it at cold start
 * (functions/_common/secrets.ts), as every secret of the route table.
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

  constructor(scope: Construct, id: string, props: OperatorTokenKeyProps = {}) {
    super(scope, id);
    this.secret = new Secret(this, 'Resource', {
      description: 'HMAC-SHA256 key of operator bearer tokens',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      ...(props.removalPolicy ? { removalPolicy: props.removalPolicy } : {}),
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotate by putting a new value: the authorizer picks it up within its secret cache age and accepts tokens ' +
        'signed with the previous key meanwhile (AWSPREVIOUS); tokens live at most an hour.',
    });
  }
}
