/**
 * Lambda authorizers with API Gateway's rules, for the WebSocket `$connect` REQUEST authorizer (the REST API's
 * callers are checked as its Cognito authorizer does: cognito-authorizer.ts): missing identity sources are refused with 401 before the authorizer runs;
 * `throw new Error('Unauthorized')` is 401; a policy that does not allow the method ARN is 403; anything else that
 * goes wrong is 500. An allowed caller carries principalId + context on its events.
 */
import type { WsAuthorizerRoute } from '#functions/routes.ts';
import type { LambdaFunction } from '../lambda.ts';
import type { UpgradeRequest } from '../events/index.ts';

export type AuthOutcome =
  | { readonly allowed: true; readonly authorizer: Record<string, string | number> }
  | { readonly allowed: false; readonly status: 401 | 403 | 500; readonly reason: string };

const SOURCE = /^route\.request\.(header|querystring)\.(.+)$/;

const lookup = (map: Record<string, string[]>, name: string, caseInsensitive: boolean) => {
  const key = caseInsensitive ? Object.keys(map).find((k) => k.toLowerCase() === name.toLowerCase()) : name;
  return key === undefined ? undefined : map[key];
};

/** The identity sources this request lacks (header names are case-insensitive, query names are not). */
export const missingIdentitySources = (route: WsAuthorizerRoute, req: UpgradeRequest): string[] =>
  route.identitySource.filter((source) => {
    const m = SOURCE.exec(source);
    if (!m) throw new Error(`${route.id}: unsupported identity source ${source}`);
    const values = m[1] === 'header' ? lookup(req.headers, m[2]!, true) : lookup(req.query, m[2]!, false);
    return !values?.some((v) => v !== '');
  });

interface PolicyStatement {
  readonly Effect?: string;
  readonly Resource?: string | readonly string[];
}
interface AuthorizerResult {
  readonly principalId?: unknown;
  readonly policyDocument?: { readonly Statement?: readonly PolicyStatement[] | PolicyStatement };
  readonly context?: Record<string, unknown> | null;
}

const refuse = (status: 401 | 403 | 500, reason: string): AuthOutcome => ({ allowed: false, status, reason });

const isPrimitive = (v: unknown) => ['string', 'number', 'boolean'].includes(typeof v);

/** IAM's resource wildcards: `*` any run of characters, `?` one character. */
const resourceMatches = (pattern: string, arn: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(arn);

const covers = (s: PolicyStatement, arn: string) => [s.Resource ?? []].flat().some((r) => resourceMatches(r, arn));

/** Reads the authorizer's answer for the method ARN the caller asked for: an explicit Deny wins over any Allow. */
const judge = (result: AuthorizerResult, methodArn: string, latencyMs: number): AuthOutcome => {
  const statements = [result.policyDocument?.Statement ?? []].flat();
  if (typeof result.principalId !== 'string' || !result.policyDocument) {
    return refuse(500, 'authorizer result lacks principalId or policyDocument');
  }
  const context = result.context ?? {};
  const bad = Object.entries(context).find(([, v]) => !isPrimitive(v));
  if (bad) return refuse(500, `authorizer context value ${bad[0]} is not a string, number or boolean`);
  const applying = statements.filter((s) => covers(s, methodArn));
  if (applying.some((s) => s.Effect === 'Deny') || !applying.some((s) => s.Effect === 'Allow')) {
    return refuse(403, 'policy does not allow execute-api:Invoke');
  }
  // Integrations receive context values as strings, as with REST API Lambda authorizers.
  const strings = Object.fromEntries(Object.entries(context).map(([k, v]) => [k, String(v)]));
  return { allowed: true, authorizer: { ...strings, principalId: result.principalId, integrationLatency: latencyMs } };
};

export const runAuthorizer = async (fn: LambdaFunction, event: { readonly methodArn: string }): Promise<AuthOutcome> => {
  const started = Date.now();
  const out = await fn.invoke(event);
  if (!out.ok) {
    const message = out.error instanceof Error ? out.error.message : String(out.error);
    const unauthorized = message === 'Unauthorized';
    return unauthorized ? refuse(401, 'Unauthorized') : refuse(500, `authorizer failed: ${String(out.error)}`);
  }
  if (typeof out.result !== 'object' || out.result === null) return refuse(500, 'authorizer returned no policy');
  return judge(out.result as AuthorizerResult, event.methodArn, Date.now() - started);
};
