/**
 * Who may call an `http` route, decided from the route table alone so that the CDK stack (the Cognito authorizer's
 * OAuth scopes per method), the local REST host (which checks the same scopes) and the handler adapter (which checks
 * roles) agree.
 *
 * Every `jwt` method takes Cognito **access tokens** (a method that declares OAuth scopes accepts nothing else), from
 * people and machines alike:
 * - a person signs in through the people app client; the token carries `username`, the Cognito groups (`admin`,
 *   `operator`, `viewer`) and the scope {@link PEOPLE_SCOPE}; the route's roles are checked against the groups;
 * - a machine client (client-credentials grant) has no user and no groups; its token carries `csms/read` and/or
 *   `csms/write`. `csms/read` admits what a viewer may do, `csms/write` what an operator may do; no scope admits an
 *   admin-only route.
 */
import type { HttpRoute, OperatorRole } from '../routes.ts';

/** The scope of every access token a user pool issues to a person who signed in (InitiateAuth or the hosted UI). */
export const PEOPLE_SCOPE = 'aws.cognito.signin.user.admin';
/** The resource server's identifier; its scopes are `csms/read` and `csms/write`. */
export const RESOURCE_SERVER = 'csms';
export const MACHINE_SCOPES = { read: `${RESOURCE_SERVER}/read`, write: `${RESOURCE_SERVER}/write` } as const;
export type MachineScope = (typeof MACHINE_SCOPES)[keyof typeof MACHINE_SCOPES];

export const OPERATOR_ROLES: readonly OperatorRole[] = ['admin', 'operator', 'viewer'];

/** The machine scopes that admit a route: a write scope is also good for reads. */
export const machineScopesOf = (route: Pick<HttpRoute, 'auth'>): MachineScope[] => {
  if (route.auth.type !== 'jwt') return [];
  const roles = route.auth.roles;
  if (roles.includes('viewer')) return [MACHINE_SCOPES.read, MACHINE_SCOPES.write];
  if (roles.includes('operator')) return [MACHINE_SCOPES.write];
  return [];
};

/** The OAuth scopes a method declares (API Gateway admits an access token with any one of them). */
export const methodScopesOf = (route: Pick<HttpRoute, 'auth'>): string[] =>
  route.auth.type === 'jwt' ? [PEOPLE_SCOPE, ...machineScopesOf(route)] : [];

/** Who called: a person (by their groups) or a machine client (by its scopes). */
export type Principal =
  | { readonly kind: 'person'; readonly sub: string; readonly username: string; readonly roles: readonly OperatorRole[]; readonly scopes: readonly string[] }
  | { readonly kind: 'machine'; readonly sub: string; readonly clientId: string; readonly scopes: readonly string[] };

/** A principal's name for audit fields (`createdBy`, `closedBy`, …). */
export const principalName = (p: Principal): string => (p.kind === 'person' ? p.username : `client:${p.clientId}`);

/**
 * API Gateway's Cognito authorizer hands the token's claims to the function as strings: `scope` space-separated,
 * `cognito:groups` comma-separated on REST APIs (a bracketed, space-separated list on HTTP APIs; both are read).
 */
const list = (value: unknown, separator: RegExp): string[] => {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  return value.replace(/^\[|\]$/g, '').split(separator).map((s) => s.trim()).filter((s) => s !== '');
};

/** The caller described by `requestContext.authorizer.claims`, or undefined when there are none (an open route). */
export const principalOf = (claims: Readonly<Record<string, unknown>> | undefined): Principal | undefined => {
  const sub = claims?.sub;
  if (!claims || typeof sub !== 'string' || sub === '') return undefined;
  const scopes = list(claims.scope, /\s+/);
  const username = claims.username ?? claims['cognito:username'];
  if (typeof username === 'string' && username !== '') {
    const roles = list(claims['cognito:groups'], /[\s,]+/).filter((g): g is OperatorRole => (OPERATOR_ROLES as readonly string[]).includes(g));
    return { kind: 'person', sub, username, roles, scopes };
  }
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : sub;
  return { kind: 'machine', sub, clientId, scopes };
};

/** Whether the principal may call the route (the handler adapter's check; API Gateway has already checked the scopes). */
export const admits = (route: Pick<HttpRoute, 'auth'>, p: Principal | undefined): boolean => {
  if (route.auth.type === 'none') return true;
  if (!p) return false;
  const allowed = route.auth.roles;
  if (p.kind === 'person') return p.roles.some((r) => allowed.includes(r));
  const scopes = machineScopesOf(route);
  return p.scopes.some((s) => (scopes as readonly string[]).includes(s));
};
