/**
 * The operators' side of the stack: the Cognito user pool and its clients, the REST API's authorizer and scopes per
 * role set, the `userPool` grant, CORS and the web ACL only when configured, API Gateway's errors as problem+json,
 * and cdk-nag with everything switched on. Routes are fixtures (test/cdk/fixtures/functions/kinds/http.ts).
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as z from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { isHttpRoute, type RouteDef } from '../../functions/routes.ts';
import { methodScopesOf } from '../../functions/_routes/http-auth.ts';
import { FIXTURES, withFixtureEntries } from './fixture-entries.ts';
import { routes as platformRoutes } from '../../functions/routes.ts';
import type { StageConfig, StageName } from '../../lib/stage-config.ts';
import { fixtureRegistries } from '../support/route-fixtures.ts';
import { actionsOf, functionIdForRoute, type Resource, type Resources, statementsOf, synthStack } from './support.ts';

const http = (id: string, method: string, p: string, auth: unknown, extra: object = {}): RouteDef =>
  ({ kind: 'http', id, method, path: p, auth, entry: 'kinds/http.ts', access: {}, ...extra }) as RouteDef;

/** One route per role set the table uses, an open read, a user-admin route and a required query parameter. */
const apiRoutes: readonly RouteDef[] = [
  http('ListLocations', 'GET', '/locations', { type: 'jwt', roles: ['admin', 'operator', 'viewer'] }, {
    query: z.strictObject({ from: z.string(), limit: z.coerce.number().int().optional() }),
  }),
  http('CreateLocation', 'POST', '/locations', { type: 'jwt', roles: ['admin', 'operator'] }, { body: z.strictObject({ name: z.string() }) }),
  http('RotatePassword', 'POST', '/chargers/{chargerId}/password', { type: 'jwt', roles: ['admin'] }),
  http('CreateUser', 'POST', '/users', { type: 'jwt', roles: ['admin'] }, { access: { userPool: ['AdminCreateUser', 'AdminAddUserToGroup'] } }),
  http('OpenApi', 'GET', '/openapi.json', { type: 'none', reason: 'The API description is public, like the docs.' }),
];
// The platform's own REST routes are checked on their own below; these fixtures cover each role set.
const routes = [...platformRoutes.filter((r) => r.kind !== 'http'), ...apiRoutes];

const synth = (stage: StageName = 'dev', configOverrides: Partial<StageConfig> = {}) =>
  synthStack({ stage, routes, registries: fixtureRegistries, functionsDir: FIXTURES, configOverrides });

const onlyOne = (t: Template, type: string): Record<string, unknown> => {
  const found = Object.values(t.findResources(type) as Resources);
  expect(found, type).toHaveLength(1);
  return (found[0] as Resource).Properties;
};
const methods = (t: Template) => Object.values(t.findResources('AWS::ApiGateway::Method') as Resources).map((m) => m.Properties);
const resourcePath = (t: Template, resourceId: unknown): string => {
  const resources = t.findResources('AWS::ApiGateway::Resource') as Resources;
  const id = (resourceId as { Ref?: string }).Ref;
  if (!id) return '';
  const r = resources[id] as Resource;
  return `${resourcePath(t, r.Properties.ParentId)}/${String(r.Properties.PathPart)}`;
};
const methodOf = (t: Template, method: string, p: string) => {
  const found = methods(t).filter((m) => m.HttpMethod === method && resourcePath(t, m.ResourceId) === p);
  expect(found, `${method} ${p}`).toHaveLength(1);
  return found[0] as Record<string, unknown>;
};
const envOf = (t: Template, routeId: string) =>
  ((t.findResources('AWS::Lambda::Function')[functionIdForRoute(t, routeId)] as Resource).Properties.Environment as { Variables: Record<string, unknown> })
    .Variables;

describe('the operators’ user pool', () => {
  let dev: Template;
  beforeAll(() => {
    dev = synth().template;
  });

  it('lets only admins create accounts, signs in by case-insensitive username, and asks for strong passwords', () => {
    expect(onlyOne(dev, 'AWS::Cognito::UserPool')).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameConfiguration: { CaseSensitive: false },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 1,
        },
      },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
    expect(onlyOne(dev, 'AWS::Cognito::UserPool').AliasAttributes).toBeUndefined();
  });

  it('is deletable on dev and protected and retained on prod', () => {
    const pool = (t: Template) => Object.values(t.findResources('AWS::Cognito::UserPool') as Resources)[0] as Resource;
    expect(pool(dev)).toMatchObject({ DeletionPolicy: 'Delete', Properties: { DeletionProtection: 'INACTIVE' } });
    expect(pool(synth('prod').template)).toMatchObject({ DeletionPolicy: 'Retain', Properties: { DeletionProtection: 'ACTIVE' } });
  });

  it('falls back to the Essentials plan when the stage turns threat protection off', () => {
    const pool = onlyOne(synth('dev', { operatorThreatProtection: false }).template, 'AWS::Cognito::UserPool');
    expect(pool.UserPoolTier).toBe('ESSENTIALS');
    expect(pool.UserPoolAddOns).toBeUndefined();
  });

  it('has the three role groups and the csms resource server with read and write', () => {
    const groups = Object.values(dev.findResources('AWS::Cognito::UserPoolGroup') as Resources).map((g) => g.Properties.GroupName);
    expect(groups.sort()).toEqual(['admin', 'operator', 'viewer']);
    expect(onlyOne(dev, 'AWS::Cognito::UserPoolResourceServer')).toMatchObject({
      Identifier: 'csms',
      Scopes: [expect.objectContaining({ ScopeName: 'read' }), expect.objectContaining({ ScopeName: 'write' })],
    });
  });

  it('gives people a client without secret: password and SRP sign-in, tokens of one hour, refresh for 30 days', () => {
    const client = onlyOne(dev, 'AWS::Cognito::UserPoolClient');
    expect(client).toMatchObject({
      GenerateSecret: false,
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      RefreshTokenValidity: 30 * 24 * 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
    });
    expect((client.ExplicitAuthFlows as string[]).sort()).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']);
    expect(client.AllowedOAuthFlows).toBeUndefined();
  });

  it('has a domain for the token endpoint, prefixed by stage and account unless the stage names one', () => {
    expect(onlyOne(dev, 'AWS::Cognito::UserPoolDomain').Domain).toEqual({ 'Fn::Join': ['', ['ov2xmp-dev-', { Ref: 'AWS::AccountId' }]] });
    const named = synth('dev', { operatorDomainPrefix: 'acme-csms-ops' }).template;
    expect(onlyOne(named, 'AWS::Cognito::UserPoolDomain').Domain).toBe('acme-csms-ops');
  });

  it('adds a sample machine client (client credentials, csms/read) only when asked', () => {
    const t = synth('dev', { sampleMachineClient: true }).template;
    const clients = Object.values(t.findResources('AWS::Cognito::UserPoolClient') as Resources).map((c) => c.Properties);
    expect(clients).toHaveLength(2);
    const machine = clients.find((c) => c.GenerateSecret === true);
    expect(machine).toMatchObject({
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: [{ 'Fn::Join': ['', [{ Ref: expect.stringMatching(/ResourceServer/) }, '/read']] }],
      AccessTokenValidity: 60,
    });
    expect(machine?.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
  });

  it('outputs the pool, the people client, the token endpoint and the REST API URL', () => {
    dev.hasOutput('UserPoolId', { Value: Match.objectLike({ Ref: Match.stringLikeRegexp('UserPool') }) });
    dev.hasOutput('PeopleClientId', { Value: Match.objectLike({ Ref: Match.stringLikeRegexp('PeopleClient') }) });
    dev.hasOutput('TokenEndpoint', { Value: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['https://', '.amazoncognito.com/oauth2/token'])] }) });
    dev.hasOutput('RestApiUrl', Match.anyValue());
  });
});

describe('the REST API’s authorizer', () => {
  let t: Template;
  beforeAll(() => {
    t = synth().template;
  });

  it('is the operators’ user pool', () => {
    const pool = Object.keys(t.findResources('AWS::Cognito::UserPool'))[0];
    expect(onlyOne(t, 'AWS::ApiGateway::Authorizer')).toMatchObject({
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
      ProviderARNs: [{ 'Fn::GetAtt': [pool, 'Arn'] }],
    });
  });

  it('guards every jwt method with the scopes of its roles: people always, machines by read or write', () => {
    const people = 'aws.cognito.signin.user.admin';
    const expected: [string, string, string[]][] = [
      ['GET', '/locations', [people, 'csms/read', 'csms/write']],
      ['POST', '/locations', [people, 'csms/write']],
      ['POST', '/chargers/{chargerId}/password', [people]],
      ['POST', '/users', [people]],
    ];
    for (const [method, p, scopes] of expected) {
      expect(methodOf(t, method, p), `${method} ${p}`).toMatchObject({ AuthorizationType: 'COGNITO_USER_POOLS', AuthorizationScopes: scopes });
    }
  });

  it('leaves no method without auth except the none routes (and CORS preflights, when configured)', () => {
    const open = methods(t).filter((m) => m.AuthorizationType !== 'COGNITO_USER_POOLS').map((m) => `${String(m.HttpMethod)} ${resourcePath(t, m.ResourceId)}`);
    expect(open).toEqual(['GET /openapi.json']);
    const withCors = synth('dev', { consoleOrigins: ['https://console.example.com'] }).template;
    const openWithCors = methods(withCors).filter((m) => m.AuthorizationType !== 'COGNITO_USER_POOLS');
    expect(new Set(openWithCors.map((m) => (m.HttpMethod === 'OPTIONS' ? 'OPTIONS' : `${String(m.HttpMethod)} ${resourcePath(withCors, m.ResourceId)}`)))).toEqual(
      new Set(['OPTIONS', 'GET /openapi.json']),
    );
  });

  it('requires the query parameters the route’s query schema requires', () => {
    expect(methodOf(t, 'GET', '/locations')).toMatchObject({ RequestParameters: { 'method.request.querystring.from': true } });
    expect(methodOf(t, 'POST', '/locations').RequestParameters).toBeUndefined();
  });
});

describe('invoke permissions of the REST API', () => {
  it('let API Gateway invoke each http function from its own method on this stage only, with no console test-invoke', () => {
    const t = synth().template;
    const api = Object.keys(t.findResources('AWS::ApiGateway::RestApi'))[0] as string;
    const stageName = (Object.values(t.findResources('AWS::ApiGateway::Stage') as Resources)[0] as Resource).Properties.StageName as string;
    const permissions = Object.values(t.findResources('AWS::Lambda::Permission') as Resources).map((p) => p.Properties);
    for (const route of apiRoutes.filter(isHttpRoute)) {
      const fnId = functionIdForRoute(t, route.id);
      const mine = permissions.filter((p) => JSON.stringify(p.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [fnId, 'Arn'] }));
      expect(mine, route.id).toHaveLength(1);
      expect(mine[0], route.id).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
      const source = JSON.stringify(mine[0]?.SourceArn);
      expect(source, route.id).toContain(`{"Ref":"${api}"}`);
      // The stage by its name (a reference to the Stage resource would be a cycle across the nested stack).
      expect(source, route.id).toContain(`/${stageName}/${route.method}/`);
      expect(source, route.id).not.toContain('test-invoke-stage');
    }
  });
});

describe('userPool access', () => {
  it('grants exactly the listed cognito-idp actions on the pool’s ARN and sets USER_POOL_ID', () => {
    const { template: t } = synth();
    const pool = Object.keys(t.findResources('AWS::Cognito::UserPool'))[0] as string;
    const cognito = statementsOf(t, functionIdForRoute(t, 'CreateUser')).filter((s) => actionsOf(s).some((a) => a.startsWith('cognito-idp:')));
    expect(cognito).toHaveLength(1);
    expect(actionsOf(cognito[0]!).sort()).toEqual(['cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminCreateUser']);
    expect(cognito[0]!.Resource).toEqual({ 'Fn::GetAtt': [pool, 'Arn'] });
    expect(envOf(t, 'CreateUser').USER_POOL_ID).toEqual({ Ref: pool });
    for (const route of routes.filter((r) => r.id !== 'CreateUser')) {
      const actions = statementsOf(t, functionIdForRoute(t, route.id)).flatMap(actionsOf);
      expect(actions.filter((a) => a.startsWith('cognito-idp:')), route.id).toEqual([]);
      expect(envOf(t, route.id).USER_POOL_ID, route.id).toBeUndefined();
    }
  });
});

describe('CORS for the console', () => {
  it('is absent unless the stage names console origins', () => {
    const { template: t } = synth();
    expect(methods(t).filter((m) => m.HttpMethod === 'OPTIONS')).toEqual([]);
    expect(envOf(t, 'ListLocations')).not.toHaveProperty('CORS_ALLOWED_ORIGINS');
  });

  it('answers preflights for the configured origins and tells http functions which origins to echo', () => {
    const origins = ['https://console.example.com', 'http://localhost:5173'];
    const { template: t } = synth('dev', { consoleOrigins: origins });
    const preflight = methodOf(t, 'OPTIONS', '/locations');
    expect(preflight.AuthorizationType).toBe('NONE');
    const headers = JSON.stringify((preflight.Integration as { IntegrationResponses: unknown }).IntegrationResponses);
    expect(headers).toContain("'Authorization,Content-Type,If-Match,If-None-Match,Idempotency-Key'");
    expect(headers).toContain("'ETag,Location'");
    expect(headers).toContain('https://console.example.com');
    expect(envOf(t, 'ListLocations').CORS_ALLOWED_ORIGINS).toBe(origins.join(','));
    expect(envOf(t, 'ReconcilePresence').CORS_ALLOWED_ORIGINS).toBeUndefined();
  });

  it('lets the browser read gateway errors when there is one origin', () => {
    const { template: t } = synth('dev', { consoleOrigins: ['https://console.example.com'] });
    t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Access-Control-Allow-Origin': "'https://console.example.com'" }),
    });
  });
});

describe('the REST API’s web ACL', () => {
  const acl = 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/operators/00000000-0000-4000-8000-000000000000';

  it('is associated with the stage only when the stage names one', () => {
    synth().template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    const { template: t } = synth('dev', { restApiWebAclArn: acl });
    const stage = Object.keys(t.findResources('AWS::ApiGateway::Stage'))[0] as string;
    const association = onlyOne(t, 'AWS::WAFv2::WebACLAssociation');
    expect(association.WebACLArn).toBe(acl);
    expect(JSON.stringify(association.ResourceArn)).toContain(`"${stage}"`);
  });
});

describe('API Gateway’s own errors', () => {
  const { template: t } = synth();
  const responses = Object.values(t.findResources('AWS::ApiGateway::GatewayResponse') as Resources).map((r) => r.Properties);
  /** The body a client gets, with API Gateway's substitutions made as it makes them (messageString is quoted). */
  const rendered = (template: string) =>
    JSON.parse(template.replace('$context.error.messageString', '"Unauthorized"').replace('$context.error.validationErrorString', '[a problem]')) as unknown;

  it('are problem+json of one shape for every type a client meets', () => {
    const types = responses.map((r) => r.ResponseType);
    for (const type of ['BAD_REQUEST_BODY', 'BAD_REQUEST_PARAMETERS', 'UNAUTHORIZED', 'ACCESS_DENIED', 'MISSING_AUTHENTICATION_TOKEN', 'THROTTLED', 'DEFAULT_4XX', 'DEFAULT_5XX']) {
      expect(types).toContain(type);
    }
    for (const r of responses) {
      expect(r.ResponseParameters, String(r.ResponseType)).toMatchObject({ 'gatewayresponse.header.Content-Type': "'application/problem+json'" });
      const templates = r.ResponseTemplates as Record<string, string>;
      expect(Object.keys(templates).sort()).toEqual(['application/json', 'application/problem+json']);
      const body = rendered(templates['application/json'] as string);
      expect(body, String(r.ResponseType)).toMatchObject({ type: 'about:blank', title: expect.any(String), detail: expect.any(String) });
      if (r.StatusCode) expect(body).toMatchObject({ status: Number(r.StatusCode) });
    }
  });

  it('answer an unknown path or method with 404, a missing or bad token with 401 and throttling with 429', () => {
    const status = (type: string) => responses.find((r) => r.ResponseType === type)?.StatusCode;
    expect(status('MISSING_AUTHENTICATION_TOKEN')).toBe('404');
    expect(status('UNAUTHORIZED')).toBe('401');
    expect(status('ACCESS_DENIED')).toBe('403');
    expect(status('THROTTLED')).toBe('429');
  });
});

describe('cdk-nag with the operators’ API fully configured', () => {
  it.each(['dev', 'prod'] as const)('leaves no unacknowledged finding on %s', (stage) => {
    const { app } = synth(stage, {
      consoleOrigins: ['https://console.example.com'],
      restApiWebAclArn: 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/operators/00000000-0000-4000-8000-000000000000',
      sampleMachineClient: true,
    });
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`)).toEqual([]);
  });

  it('acknowledges the Essentials plan only when the stage chose it', () => {
    const { app } = synth('dev', { operatorThreatProtection: false });
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });
});

describe('the platform’s own REST routes', () => {
  let t: Template;
  const http = (platformRoutes as readonly RouteDef[]).filter(isHttpRoute);
  beforeAll(() => {
    t = synthStack({ routes: withFixtureEntries(platformRoutes), functionsDir: FIXTURES }).template;
  });

  it('each have their method, jwt ones behind the Cognito authorizer with the scopes of their roles', () => {
    expect(methods(t).filter((m) => m.HttpMethod !== 'OPTIONS')).toHaveLength(http.length);
    for (const route of http) {
      const method = methodOf(t, route.method, route.path);
      if (route.auth.type === 'none') expect(method, route.id).toMatchObject({ AuthorizationType: 'NONE' });
      else expect(method, route.id).toMatchObject({ AuthorizationType: 'COGNITO_USER_POOLS', AuthorizationScopes: methodScopesOf(route) });
    }
  });

  it('leave only the health check and the OpenAPI document open', () => {
    const open = methods(t).filter((m) => m.AuthorizationType !== 'COGNITO_USER_POOLS').map((m) => `${String(m.HttpMethod)} ${resourcePath(t, m.ResourceId)}`);
    expect(open.sort()).toEqual(['GET /health', 'GET /openapi.json']);
  });
});
