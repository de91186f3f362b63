/**
 * CloudFormation's 500 resources per stack: the http routes' functions live in the OperatorApiFunctions nested
 * stack (lib/csms-stack.ts), everything else in the parent. This file holds each stack to a margin below the limit,
 * so a branch that adds routes fails here, with the counts, instead of at `cdk synth` after merging; and checks the
 * split itself: what lives where, and how the two stacks reference each other.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { isHttpRoute, type RouteDef, routes as routeTable } from '../../functions/routes.ts';
import type { StageConfig, StageName } from '../../lib/stage-config.ts';
import { type Resource, type Resources, synthStack } from './support.ts';

/** CloudFormation's hard limit per stack (nested stacks included, each on its own). */
const STACK_RESOURCE_LIMIT = 500;
/** Room kept free: about a dozen REST routes' worth in the parent, over twenty in the nested stack. */
const MARGIN = 50;
const NESTED = 'OperatorApiFunctions';

const routes: readonly RouteDef[] = routeTable;
const httpRoutes = routes.filter(isHttpRoute);

/** Every option that adds resources, switched on: the largest stacks a stage can make. */
const EVERYTHING_ON: Partial<StageConfig> = {
  consoleOrigins: ['https://console.example.com', 'http://localhost:5173'],
  restApiWebAclArn: 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/operators/00000000-0000-4000-8000-000000000000',
  sampleMachineClient: true,
  firmwareHttpPublicKeyPem: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
};
const variants: [string, StageName, Partial<StageConfig>][] = [
  ['dev', 'dev', {}],
  ['prod', 'prod', {}],
  ['prod with CORS, a REST web ACL, the sample client and plain-HTTP firmware', 'prod', EVERYTHING_ON],
];
const synths = new Map(variants.map(([label, stage, configOverrides]) => [label, synthStack({ stage, configOverrides })]));
const synthOf = (label: string) => synths.get(label) as ReturnType<typeof synthStack>;
/** `cdk synth` adds one AWS::CDK::Metadata resource per stack (nested ones too); the test app leaves it out. */
const CLI_METADATA = 1;
const countOf = (t: Template) => Object.keys(t.toJSON().Resources as object).length + CLI_METADATA;

describe('resources per stack', () => {
  it.each(variants.map(([label]) => label))(`stays at least ${MARGIN} below CloudFormation's ${STACK_RESOURCE_LIMIT} in every stack: %s`, (label) => {
    const { stack, parent, nested } = synthOf(label);
    const counts = { [stack.node.id]: countOf(parent), ...Object.fromEntries(Object.entries(nested).map(([id, t]) => [id, countOf(t)])) };
    console.info(`resources per stack (${label}):`, counts);
    for (const [id, count] of Object.entries(counts)) {
      expect(count, `${id} has ${count} resources (${JSON.stringify(counts)}); split further (lib/csms-stack.ts, buildFunctions)`).toBeLessThanOrEqual(
        STACK_RESOURCE_LIMIT - MARGIN,
      );
    }
  });
});

describe(`the ${NESTED} nested stack`, () => {
  const { parent, nested } = synthOf('prod');
  const inner = nested[NESTED] as Template;
  const descriptions = (t: Template) => Object.values(t.findResources('AWS::Lambda::Function') as Resources).map((f) => String(f.Properties.Description));
  const routeOf = (description: string) => description.slice(0, description.indexOf(' ('));

  it('holds exactly the http routes’ functions, with their roles, policies, log groups and invoke permissions', () => {
    // Beside the dashboard and alarms' own (test/cdk/monitoring.test.ts).
    expect(Object.keys(nested).sort()).toEqual(['AlarmsAndDashboard', NESTED]);
    expect(descriptions(inner).map(routeOf).sort()).toEqual(httpRoutes.map((r) => r.id).sort());
    // Beside the other routes' functions, the parent holds CDK's writer of bucket notifications (the bucket route's).
    const parentRoutes = descriptions(parent).filter((d) => !d.includes('Custom::S3BucketNotifications'));
    expect(parentRoutes.map(routeOf).sort()).toEqual(routes.filter((r) => !isHttpRoute(r)).map((r) => r.id).sort());
    const types = new Set(Object.values(inner.toJSON().Resources as Resources).map((r) => r.Type));
    expect([...types].sort()).toEqual(['AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::Lambda::Function', 'AWS::Lambda::Permission', 'AWS::Logs::LogGroup']);
    for (const type of ['AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::Lambda::Permission', 'AWS::Logs::LogGroup']) inner.resourceCountIs(type, httpRoutes.length);
  });

  it('leaves the REST API and its methods in the parent; the permissions name the API, not its stage resource', () => {
    parent.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    parent.resourceCountIs('AWS::ApiGateway::Method', httpRoutes.length);
    for (const type of ['AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Method', 'AWS::ApiGateway::Stage']) inner.resourceCountIs(type, 0);
    // A reference to the stage would make this stack wait for the stage, which waits for the methods, which wait for
    // this stack's functions: a cycle CloudFormation refuses. The API's id is the only parent value they take.
    const sources = Object.values(inner.findResources('AWS::Lambda::Permission') as Resources).map((p) => JSON.stringify(p.Properties.SourceArn));
    const apiParameter = Object.keys(inner.toJSON().Parameters as object).filter((name) => /RestApi\w*Ref$/.test(name));
    expect(apiParameter).toHaveLength(1);
    for (const source of sources) {
      expect(source).toContain(`{"Ref":"${apiParameter[0]}"}`);
      expect(source).not.toMatch(/Stage/);
    }
  });

  it('gets each parent value as a parameter wired to the parent resource it is named after', () => {
    const stackResource = Object.entries(parent.findResources('AWS::CloudFormation::Stack') as Resources).filter(([id]) => id.startsWith(NESTED));
    expect(stackResource).toHaveLength(1);
    const parameters = (stackResource[0] as [string, Resource])[1].Properties.Parameters as Record<string, unknown>;
    const parentIds = Object.keys(parent.toJSON().Resources as object);
    expect(Object.keys(parameters).sort()).toEqual(Object.keys(inner.toJSON().Parameters as object).sort());
    for (const [name, value] of Object.entries(parameters)) {
      // `referenceto<parent unique id><Arn|Ref>`: the unique id is the logical id's path part with the stack name before it.
      const [target, attribute] = 'Ref' in (value as object) ? [(value as { Ref: string }).Ref, 'Ref'] : (value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
      expect(parentIds, name).toContain(target);
      expect(name, JSON.stringify(value)).toMatch(new RegExp(`^referenceto\\w*${target.slice(0, -8)}[0-9A-F]{8}${attribute}$`));
    }
  });

  it('gives the parent each function’s ARN as an output, and nothing else', () => {
    const fnIds = Object.keys(inner.findResources('AWS::Lambda::Function'));
    const outputs = Object.values(inner.toJSON().Outputs as Record<string, { Value: unknown }>).map((o) => o.Value);
    expect(outputs).toHaveLength(fnIds.length);
    expect(outputs).toEqual(expect.arrayContaining(fnIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }))));
  });

  it('adds nothing to a key policy: the table key is used through identity policies only (no parent-to-nested reference)', () => {
    const keyPolicies = JSON.stringify(Object.values(parent.findResources('AWS::KMS::Key') as Resources).map((k) => k.Properties.KeyPolicy));
    expect(keyPolicies).not.toContain(NESTED);
    expect(keyPolicies).not.toMatch(/Role/);
  });
});
