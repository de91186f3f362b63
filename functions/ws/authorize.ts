/**
 * $connect REQUEST authorizer: Basic auth of the charger, edge secret check, OCPP version choice.
 * Unauthorized → 401 (thrown, as API Gateway expects); forbidden → Deny policy (403).
 */
import { allowListMatcher } from '#shared/charger/auto-registration.ts';
import { decideUpgrade, type ConnectionPolicy } from '#shared/charger/connection.ts';
import { deps, env, logger } from '../_common/runtime.ts';
import { withCsms } from '../_common/with-csms.ts';
import { acceptedValues, passwordKeys, secrets } from '../_common/secrets.ts';
import { authorizerPolicy, header, type ChargerAuthContext, type WsAuthorizerEvent } from '../_common/ws-events.ts';

// Read at cold start, so a function that cannot read its secrets fails there, by name.
await Promise.all([secrets('originVerify'), passwordKeys()]);
const allowListed = allowListMatcher(env.AUTO_REGISTER_ALLOW);

const policy = authorizerPolicy<ChargerAuthContext>;

const authorize = async (event: WsAuthorizerEvent) => {
  const decision = await decideUpgrade(
    // Cached per container (secrets.ts): no call to Secrets Manager per connect.
    { ...deps, ...(await passwordKeys()) },
    { originSecrets: acceptedValues(await secrets('originVerify')), autoRegister: env.AUTO_REGISTER, allowListed } satisfies ConnectionPolicy,
    {
      chargerId: event.queryStringParameters?.chargeBoxId,
      authorization: header(event.headers, 'X-Ocpp-Authorization'),
      originSecret: header(event.headers, 'X-Origin-Verify'),
      offeredProtocols: header(event.headers, 'Sec-WebSocket-Protocol'),
      viewerProtocol: header(event.headers, 'CloudFront-Forwarded-Proto'),
    },
  );
  const chargerId = event.queryStringParameters?.chargeBoxId ?? 'unknown';
  if (decision.outcome === 'unauthorized') {
    logger.warn('charger connection refused: unauthorized', { chargerId, reason: decision.reason });
    throw new Error('Unauthorized');
  }
  if (decision.outcome === 'forbidden') {
    logger.warn('charger connection refused: forbidden', { chargerId, reason: decision.reason });
    return policy('Deny', event.methodArn, chargerId);
  }
  return policy('Allow', event.methodArn, decision.chargerId, {
    chargeBoxId: decision.chargerId,
    protocol: decision.protocol,
    echoProtocol: decision.echoProtocol ? 'true' : 'false',
    register: decision.register ? 'true' : 'false',
    enrolment: decision.enrolment ? 'true' : 'false',
    ...(decision.promotesPassword ? { promotesPassword: 'true' } : {}),
    registration: decision.registration,
  });
};

export const handler = withCsms(authorize);
