/** Builds the CSMS stack in-process for the CDK tests, and reads things out of its template. */
import { App, type CfnElement, NestedStack, type Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Registries } from '../../functions/_routes/rules.ts';
import type { RouteDef } from '../../functions/routes.ts';
import { CsmsStack } from '../../lib/csms-stack.ts';
import { type StageConfig, type StageContext, type StageName, stageConfig } from '../../lib/stage-config.ts';

/**
 * What a prod deployment passes as context (`-c …`): placeholders of the right shape, never deployed. .ci/run
 * synthesizes prod with the same kind of values.
 */
export const PROD_CONTEXT: StageContext = {
  domainName: 'ocpp.example.com',
  certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-4000-8000-000000000000',
  webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/ocpp-edge/00000000-0000-4000-8000-000000000000',
};

export interface SynthOptions {
  readonly stage?: StageName;
  /** Run esbuild on every entry. Off by default: most tests only need the template, not the bundles. */
  readonly bundle?: boolean;
  /** Route entries directory. @default the real functions/ */
  readonly functionsDir?: string;
  /** @default the platform's route table */
  readonly routes?: readonly RouteDef[];
  /** @default the platform's registries */
  readonly registries?: Registries;
  /** @default PROD_CONTEXT for prod, none for dev */
  readonly context?: StageContext;
  /** Replaces settings of the stage's config. */
  readonly configOverrides?: Partial<StageConfig>;
}

export function synthStack(opts: SynthOptions = {}) {
  // An empty bundling-stacks list makes CDK skip esbuild (entries must still exist).
  const app = new App(opts.bundle ? {} : { context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new CsmsStack(app, `Test-${opts.stage ?? 'dev'}`, {
    config: { ...stageConfig(opts.stage ?? 'dev', opts.context ?? (opts.stage === 'prod' ? PROD_CONTEXT : {})), ...opts.configOverrides },
    ...(opts.functionsDir ? { functionsDir: opts.functionsDir } : {}),
    ...(opts.routes ? { routes: opts.routes } : {}),
    ...(opts.registries ? { registries: opts.registries } : {}),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, ...stackTemplates(stack) };
}

type Json = Record<string, unknown>;
type TemplateJson = { Resources: Record<string, Json>; Outputs?: Record<string, { Value: unknown }>; [section: string]: unknown };

/** `node` with every sub-value `replace` returns a replacement for replaced, recursively. */
const substitute = (node: unknown, replace: (n: Json) => unknown): unknown => {
  if (Array.isArray(node)) return node.map((n) => substitute(n, replace));
  if (typeof node !== 'object' || node === null) return node;
  const replacement = replace(node as Json);
  if (replacement !== undefined) return replacement;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, substitute(v, replace)]));
};

/**
 * The templates of a stack and of the stacks nested in it (the http routes' functions, lib/csms-stack.ts), and
 * `template`: what deploys, as one template. In it the nested stacks' resources sit beside the parent's, each
 * `Ref` to a nested stack parameter is replaced by the value the parent passes for it (so `{ "Fn::GetAtt":
 * [<table>, "Arn"] }` again), and each parent `Fn::GetAtt` of a nested output by that output's value. An assertion
 * on a nested resource's reference to a parent resource therefore also checks the parameter is wired to it.
 */
export function stackTemplates(stack: Stack): { template: Template; parent: Template; nested: Record<string, Template> } {
  const parent = Template.fromStack(stack);
  // Every stack nested in this one, wherever its construct sits (the monitoring one is inside its construct).
  const nestedStacks = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack && c.nestedStackParent === stack);
  const nested = Object.fromEntries(nestedStacks.map((n) => [n.node.id, Template.fromStack(n)]));
  let merged = parent.toJSON() as TemplateJson;
  for (const n of nestedStacks) {
    const resourceId = stack.getLogicalId(n.nestedStackResource as CfnElement);
    const { [resourceId]: stackResource, ...parentResources } = merged.Resources;
    const parameters = ((stackResource?.Properties as Json | undefined)?.Parameters ?? {}) as Json;
    const inner = substitute(nested[n.node.id]?.toJSON(), (x) => (typeof x.Ref === 'string' && x.Ref in parameters ? parameters[x.Ref] : undefined)) as TemplateJson;
    const outputOf = (x: Json) => {
      const getAtt = x['Fn::GetAtt'] as [string, string] | undefined;
      if (getAtt?.[0] !== resourceId) return undefined;
      const output = inner.Outputs?.[getAtt[1].replace(/^Outputs\./, '')];
      if (!output) throw new Error(`${resourceId}: no output ${getAtt[1]}`);
      return output.Value;
    };
    const resources = substitute(parentResources, outputOf) as Record<string, Json>;
    for (const [id, r] of Object.entries(resources)) {
      // The nested stack resource is gone from the merged view; what waited for it waits for its resources there.
      if (r.DependsOn === undefined) continue;
      const { DependsOn: _all, ...rest } = r;
      const dependsOn = [r.DependsOn].flat().filter((d) => d !== resourceId);
      resources[id] = dependsOn.length > 0 ? { ...rest, DependsOn: dependsOn } : rest;
    }
    for (const id of Object.keys(inner.Resources)) if (id in resources) throw new Error(`logical id ${id} is in ${stack.node.id} and ${n.node.id}`);
    merged = { ...merged, Resources: { ...resources, ...inner.Resources }, Outputs: substitute(merged.Outputs, outputOf) as TemplateJson['Outputs'] };
  }
  return { template: Template.fromJSON(merged), parent, nested };
}

export type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
export type Resources = Record<string, Resource>;

/**
 * The logical id prefix of CDK's one function per stack that writes bucket notification configurations on deploy
 * (a Python custom resource, not a route's function: lib/event-sources.ts addBucketSource).
 */
export const NOTIFICATIONS_HANDLER_ID_PREFIX = 'BucketNotificationsHandler';

/** The functions of `template` that serve routes (every function but CDK's notifications handler). */
export function routeFunctions(template: Template): Resources {
  const fns = template.findResources('AWS::Lambda::Function') as Resources;
  return Object.fromEntries(Object.entries(fns).filter(([id]) => !id.startsWith(NOTIFICATIONS_HANDLER_ID_PREFIX)));
}

/** Logical id of the Lambda function serving `routeId` (functions are described as `<routeId> (<entry>)`). */
export function functionIdForRoute(template: Template, routeId: string): string {
  const fns = template.findResources('AWS::Lambda::Function') as Resources;
  const ids = Object.keys(fns).filter((id) => String(fns[id]?.Properties.Description).startsWith(`${routeId} (`));
  if (ids.length !== 1) throw new Error(`expected one function for route ${routeId}, found ${ids.length}`);
  return ids[0] as string;
}

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of the inline policies attached to the role of function `fnId`. */
export function statementsOf(template: Template, fnId: string): Statement[] {
  const fn = template.findResources('AWS::Lambda::Function')[fnId] as Resource;
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources).filter((p) =>
    (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId),
  );
  return policies.flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

export const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Whether a statement's resources mention the logical id `ref` (Ref or GetAtt, possibly inside Fn::Join). */
export const mentions = (s: Statement, ref: string): boolean => JSON.stringify(s.Resource).includes(`"${ref}"`);

/** The chargers settings group's variables, written out: a test must fail if the derivation from the schema goes wrong. */
export const CHARGER_SETTINGS_VARIABLES: readonly string[] = [
  'AUTO_REGISTER',
  'AUTO_REGISTER_ALLOW',
  'AUTO_REGISTER_MAX_PENDING',
  'AUTO_REGISTER_PENDING_HOURS',
  'HEARTBEAT_INTERVAL_SECONDS',
  'MESSAGE_LOG_RETENTION_DAYS',
  'CHARGER_CLOCK_AHEAD_SECONDS',
  'CHARGER_CLOCK_BEHIND_DAYS',
  'MAX_SAMPLES_PER_MESSAGE',
  'MESSAGE_BUDGET_PER_MINUTE',
  'MESSAGE_BUDGET_BURST',
  'LIVE_TRANSACTION_WINDOW_MINUTES',
];
