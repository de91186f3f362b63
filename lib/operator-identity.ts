/**
 * Who may call the operator REST API: a Cognito user pool for people (groups `admin`, `operator`, `viewer`, the roles
 * of the route table), an app client they sign in with, and a resource server whose scopes (`csms/read`,
 * `csms/write`) machine clients get through the client-credentials grant at the pool's token endpoint. Machine
 * clients themselves are made by the operator (`npm run cli -- client add … --aws`); `sampleMachineClient` adds one
 * for trying the flow. No self sign-up: an admin creates every account.
 */
import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  type CfnUserPoolClient,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  type UserPoolDomain,
  UserPoolResourceServer,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { MACHINE_SCOPES, OPERATOR_ROLES, RESOURCE_SERVER } from '#functions/_routes/http-auth.ts';
import type { OperatorRole } from '#functions/routes.ts';

export interface OperatorIdentityProps {
  /** Part of the default domain prefix and of descriptions. */
  readonly stageName: string;
  /** RETAIN also turns on the pool's deletion protection. */
  readonly removalPolicy: RemovalPolicy;
  /** Prefix of `https://<prefix>.auth.<region>.amazoncognito.com`. @default `ov2xmp-<stageName>-<account id>` */
  readonly domainPrefix?: string;
  /** People's access token lifetime, 5 minutes to 1 hour. @default 1 hour */
  readonly accessTokenValidity?: Duration;
  /** People's ID token lifetime, 5 minutes to 1 hour. @default 1 hour */
  readonly idTokenValidity?: Duration;
  /** How long a person stays signed in (refresh token). @default 30 days */
  readonly refreshTokenValidity?: Duration;
  /** Threat protection, enforced (Plus plan); otherwise the Essentials plan. @default true */
  readonly threatProtection?: boolean;
  /** A machine client with `csms/read`, for trying the client-credentials grant. @default false */
  readonly sampleMachineClient?: boolean;
}

/** What each group may do; the route table's `roles` decide the rest. */
const GROUP_DESCRIPTIONS: Readonly<Record<OperatorRole, string>> = {
  admin: 'Everything, including operator accounts and charger credentials',
  operator: 'Chargers, locations and id tokens: read and write',
  viewer: 'Read only',
};

const MIN_TOKEN_VALIDITY = Duration.minutes(5);
/** The ceiling: a leaked access token is good for an hour at most. */
const MAX_TOKEN_VALIDITY = Duration.hours(1);

const checkValidity = (what: string, d: Duration): Duration => {
  const minutes = d.toMinutes();
  if (minutes < MIN_TOKEN_VALIDITY.toMinutes() || minutes > MAX_TOKEN_VALIDITY.toMinutes()) {
    throw new Error(`OperatorIdentity: ${what} must be 5–60 minutes, got ${minutes}`);
  }
  return d;
};

export class OperatorIdentity extends Construct {
  readonly userPool: UserPool;
  /** The app client people sign in with (no secret: the CLI and a browser console cannot keep one). */
  readonly peopleClient: UserPoolClient;
  readonly domain: UserPoolDomain;
  readonly resourceServer: UserPoolResourceServer;
  readonly scopes: { readonly read: OAuthScope; readonly write: OAuthScope };
  /** Where machine clients exchange their id and secret for an access token (client-credentials grant). */
  readonly tokenEndpoint: string;
  readonly sampleMachineClient?: UserPoolClient;

  constructor(scope: Construct, id: string, props: OperatorIdentityProps) {
    super(scope, id);
    const retain = props.removalPolicy === RemovalPolicy.RETAIN;
    const threatProtection = props.threatProtection ?? true;
    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `o-v2x-mp-operators-${props.stageName}`,
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      // `Alice` and `alice` are one person.
      signInCaseSensitive: false,
      standardAttributes: { email: { required: false, mutable: true } },
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        // The admin hands the first password over out of band; it should not outlive that day.
        tempPasswordValidity: Duration.days(1),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: threatProtection ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(threatProtection ? { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION } : {}),
      deletionProtection: retain,
      removalPolicy: props.removalPolicy,
    });
    for (const [precedence, role] of OPERATOR_ROLES.entries()) {
      // Construct id from the role: `AdminGroup`, stable.
      this.userPool.addGroup(`${role.charAt(0).toUpperCase()}${role.slice(1)}Group`, {
        groupName: role,
        description: GROUP_DESCRIPTIONS[role],
        precedence,
      });
    }
    // The scopes the route table admits machines with (functions/_routes/http-auth.ts), without the server prefix.
    const scopeName = (s: string) => s.slice(RESOURCE_SERVER.length + 1);
    const read = new ResourceServerScope({ scopeName: scopeName(MACHINE_SCOPES.read), scopeDescription: 'What a viewer may do' });
    const write = new ResourceServerScope({ scopeName: scopeName(MACHINE_SCOPES.write), scopeDescription: 'What an operator may do (reads too)' });
    this.resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: RESOURCE_SERVER,
      userPoolResourceServerName: 'CSMS operator API',
      scopes: [read, write],
    });
    this.scopes = { read: OAuthScope.resourceServer(this.resourceServer, read), write: OAuthScope.resourceServer(this.resourceServer, write) };
    this.peopleClient = this.userPool.addClient('PeopleClient', {
      userPoolClientName: 'people',
      generateSecret: false,
      // USER_PASSWORD_AUTH for the CLI and scripts (threat protection sees the password), SRP for a browser console.
      authFlows: { userPassword: true, userSrp: true },
      // Tokens come from InitiateAuth, not the hosted UI; their scope is aws.cognito.signin.user.admin.
      disableOAuth: true,
      accessTokenValidity: checkValidity('accessTokenValidity', props.accessTokenValidity ?? MAX_TOKEN_VALIDITY),
      idTokenValidity: checkValidity('idTokenValidity', props.idTokenValidity ?? MAX_TOKEN_VALIDITY),
      refreshTokenValidity: props.refreshTokenValidity ?? Duration.days(30),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
    });
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? `ov2xmp-${props.stageName}-${Aws.ACCOUNT_ID}` },
    });
    this.tokenEndpoint = `${this.domain.baseUrl()}/oauth2/token`;
    if (props.sampleMachineClient) {
      this.sampleMachineClient = this.userPool.addClient('SampleMachineClient', {
        userPoolClientName: 'sample-machine',
        generateSecret: true,
        oAuth: { flows: { clientCredentials: true }, scopes: [this.scopes.read] },
        accessTokenValidity: MAX_TOKEN_VALIDITY,
        preventUserExistenceErrors: true,
        enableTokenRevocation: true,
      });
      // No user sign-in flow at all (left unset, Cognito would allow SRP); CDK cannot express "refresh only".
      (this.sampleMachineClient.node.defaultChild as CfnUserPoolClient).explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];
    }
    this.acknowledgeFindings(threatProtection);
  }

  private acknowledgeFindings(threatProtection: boolean): void {
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is optional with TOTP: every person can enrol an authenticator (admins are asked to in the README), but a ' +
        'required MFA would block the first sign-in of `npm run cli -- user token` and scripts until an app is enrolled; ' +
        'threat protection asks risky sign-ins for the second factor of those who have one.',
    });
    if (!threatProtection) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason: 'The stage config turns threat protection off (operatorThreatProtection: false): the Essentials plan, no per-user Plus charge.',
      });
    }
  }
}
