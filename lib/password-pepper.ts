/**
 * The pepper generated charger passwords and enrolment codes are MACed with (shared/charger/credentials.ts), for
 * routes whose access names the `passwordPepper` secret. Secrets Manager generates it at first deploy; the function
 * receives it through a CloudFormation dynamic reference, as the origin secret (see OriginVerifySecret).
 */
import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface PasswordPepperProps {
  /** @default RemovalPolicy.RETAIN (the CDK default for secrets) */
  readonly removalPolicy?: RemovalPolicy;
}

export class PasswordPepper extends Construct {
  readonly secret: Secret;
  /** Dynamic reference to the value, for an env var. Never a literal. */
  readonly reference: string;

  constructor(scope: Construct, id: string, props: PasswordPepperProps = {}) {
    super(scope, id);
    this.secret = new Secret(this, 'Resource', {
      description: 'HMAC-SHA256 pepper of CSMS-generated charger passwords and enrolment codes',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      ...(props.removalPolicy ? { removalPolicy: props.removalPolicy } : {}),
    });
    this.reference = this.secret.secretValue.unsafeUnwrap();
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Every stored hash of a generated password names the pepper it was made with; a new pepper voids them all, so ' +
        'it is never rotated automatically: rotating it means rotating every charger password (documented).',
    });
  }
}
