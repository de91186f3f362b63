/**
 * The shared secret that proves a request came through our CloudFront distribution: CloudFront adds it as the
 * X-Origin-Verify origin header and the `$connect` authorizer compares it (ORIGIN_VERIFY_SECRET), so direct calls
 * to the execute-api endpoint are refused.
 *
 * Secrets Manager generates the value when the stack is first deployed; nothing is in the repo or the template.
 * Both consumers get it through a CloudFormation dynamic reference (`{{resolve:secretsmanager:<arn>:SecretString}}`),
 * which CloudFormation resolves in any resource property at deploy time. Trade-offs: the resolved value is visible
 * to whoever may read the Lambda configuration or the distribution config, and a rotated value only reaches them
 * on the next stack update; so rotation is "put a new value, then deploy".
 */
import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface OriginVerifySecretProps {
  /** @default RemovalPolicy.RETAIN (the CDK default for secrets) */
  readonly removalPolicy?: RemovalPolicy;
}

export class OriginVerifySecret extends Construct {
  readonly secret: Secret;
  /** Dynamic reference to the value, for an env var or header. Never a literal. */
  readonly reference: string;

  constructor(scope: Construct, id: string, props: OriginVerifySecretProps = {}) {
    super(scope, id);
    this.secret = new Secret(this, 'Resource', {
      description: 'X-Origin-Verify value CloudFront sends to the OCPP WebSocket API',
      // Header-safe alphabet; 48 alphanumerics is ~285 bits.
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      ...(props.removalPolicy ? { removalPolicy: props.removalPolicy } : {}),
    });
    // Explicitly unwrapped: a dynamic reference, resolved by CloudFormation, is what both consumers need.
    this.reference = this.secret.secretValue.unsafeUnwrap();
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Automatic rotation would desynchronise CloudFront and the authorizer, which read the value at deploy time; ' +
        'rotate by putting a new value and redeploying the stack.',
    });
  }
}
