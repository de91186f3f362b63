/**
 * TOKEN authorizer of the REST API's `jwt` routes: verifies the operator's bearer token and allows the call only if
 * one of its roles is among the route's (JWT_ROUTE_ROLES, set by the host from the route table). Bad token → 401
 * (thrown, as API Gateway expects); a role the route does not admit → Deny (403). Not cached: the policy is for
 * exactly this method and path.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { parseRouteRolesEnv } from '../_common/env.ts';
import { verifyOperatorToken } from '../_common/operator-token.ts';
import { acceptedValues, secrets } from '../_common/secrets.ts';
import { findPathRoute, methodAndPathOf } from '../_routes/http-paths.ts';

interface TokenAuthorizerEvent {
  type: 'TOKEN';
  authorizationToken: string;
  methodArn: string;
}

// Read at cold start, so a function that cannot read its key fails there, by name.
await secrets('operatorTokenKey');
const routeRoles = parseRouteRolesEnv();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'o-v2x-mp' });

const policy = (effect: 'Allow' | 'Deny', methodArn: string, principalId: string, context?: Record<string, string>) => ({
  principalId,
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: methodArn }] },
  ...(context ? { context } : {}),
});

const authorize = async (event: TokenAuthorizerEvent) => {
  const token = event.authorizationToken.replace(/^Bearer /, '');
  // During a key rotation, tokens signed with the previous key stay valid until they expire.
  const keys = acceptedValues(await secrets('operatorTokenKey'));
  const checked = keys.map((key) => verifyOperatorToken(key, token)).find((c) => c.ok) ?? verifyOperatorToken(keys[0] as string, token);
  if (!checked.ok) {
    logger.warn('operator token refused', { reason: checked.reason });
    throw new Error('Unauthorized');
  }
  const { sub, roles } = checked.claims;
  const target = methodAndPathOf(event.methodArn);
  const route = target && findPathRoute(routeRoles, target.method, target.path)?.route;
  if (!route?.roles.some((r) => (roles as readonly string[]).includes(r))) {
    logger.warn('operator role not admitted', { sub, roles, methodArn: event.methodArn, admitted: route?.roles });
    return policy('Deny', event.methodArn, sub);
  }
  return policy('Allow', event.methodArn, sub, { sub, roles: roles.join(',') });
};

export const handler = middy(authorize).use(injectLambdaContext(logger));
