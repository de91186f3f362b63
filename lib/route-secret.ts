/**
 * A secret of the route table (`SECRETS` in functions/_common/env.ts) that only functions read: the password
 * pepper. Secrets Manager generates it at first deploy; functions read it at run time (functions/_common/secrets.ts)
 * and accept the previous value during a rotation, so rotating is one `put-secret-value`. The origin secret, which
 * CloudFront also holds, is OriginVerifySecret.
 */
import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { SecretDef } from '#functions/_common/env.ts';

export interface RouteSecretProps {
  readonly def: SecretDef;
  /** @default RemovalPolicy.RETAIN (the CDK default for secrets) */
  readonly removalPolicy?: RemovalPolicy;
}

export class RouteSecret extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: RouteSecretProps) {
    super(scope, id);
    this.secret = new Secret(this, 'Resource', {
      description: props.def.description,
      generateSecretString: { passwordLength: props.def.length, excludePunctuation: true, includeSpace: false },
      ...(props.removalPolicy ? { removalPolicy: props.removalPolicy } : {}),
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation is one put-secret-value: readers pick the new value up within their 5-minute cache and accept the ' +
        'previous one meanwhile (AWSPREVIOUS). What a rotation means for data made with the old value (hashes, ' +
        'enrolment codes) is the owner’s procedure, documented in the README, so no rotation Lambda.',
    });
  }
}
