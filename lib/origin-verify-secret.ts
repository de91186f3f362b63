/**
 * The shared secret that proves a request came through our CloudFront distribution: CloudFront adds it as the
 * X-Origin-Verify origin header and the `$connect` authorizer compares it, so direct calls to the execute-api
 * endpoint are refused.
 *
 * Secrets Manager generates the value when the stack is first deployed; nothing is in the repo or the template.
 * The authorizer reads it from Secrets Manager (functions/_common/secrets.ts: at cold start, then every few
 * minutes) and accepts the AWSCURRENT and the AWSPREVIOUS value. CloudFront cannot read a secret at run time, so
 * the distribution's origin header holds the value, put there by CloudFormation from a dynamic reference. Rotation
 * is two steps (README, "Rotating the origin secret"): put a new value (the authorizer accepts both), then deploy
 * with `-c originSecretVersionId=<its VersionId>`, which changes the reference and so updates the distribution.
 */
import { type RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface OriginVerifySecretProps {
  /** @default RemovalPolicy.RETAIN (the CDK default for secrets) */
  readonly removalPolicy?: RemovalPolicy;
  /** The version CloudFront sends. @default the AWSCURRENT version at deploy time */
  readonly versionId?: string;
}

export class OriginVerifySecret extends Construct {
  readonly secret: Secret;
  /** Dynamic reference to the value CloudFront sends, for the origin header. Never a literal. */
  readonly headerReference: string;

  constructor(scope: Construct, id: string, props: OriginVerifySecretProps = {}) {
    super(scope, id);
    this.secret = new Secret(this, 'Resource', {
      description: 'X-Origin-Verify value CloudFront sends to the OCPP WebSocket API',
      // Header-safe alphabet; 48 alphanumerics is ~285 bits.
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      ...(props.removalPolicy ? { removalPolicy: props.removalPolicy } : {}),
    });
    // Explicitly unwrapped: CloudFront's origin header is the one consumer that needs the value in its config.
    this.headerReference = SecretValue.secretsManager(
      this.secret.secretArn,
      props.versionId ? { versionId: props.versionId } : { versionStage: 'AWSCURRENT' },
    ).unsafeUnwrap();
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'CloudFront holds the value in its origin header, which only a deploy can change; a rotation Lambda would ' +
        'leave CloudFront sending a value that later rotations retire. Rotation is the documented two-step ' +
        '(put a new value, then deploy with its version id); the authorizer accepts AWSCURRENT and AWSPREVIOUS.',
    });
  }
}
