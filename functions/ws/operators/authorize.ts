/**
 * Operators' `$connect` REQUEST authorizer: the access token offered as the subprotocol `bearer.<token>`
 * (docs/live-events.md). Missing, bad, expired or foreign → 401 (thrown, as API Gateway expects).
 */
import { tokenOfSubprotocols } from '#shared/live/live-event.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { parseOperatorTokenEnv } from '../../_common/env.ts';
import { operatorTokenVerifier } from '../../_common/operator-token.ts';
import { logger } from '../../_common/runtime.ts';
import { withCsms } from '../../_common/with-csms.ts';
import { authorizerPolicy, header, type WsAuthorizerEvent } from '../../_common/ws-events.ts';
import type { OperatorAuthContext } from './events.ts';

const verify = operatorTokenVerifier(parseOperatorTokenEnv().OPERATOR_TOKEN_ISSUER);

const authorize = async (event: WsAuthorizerEvent) => {
  const checked = await verify(tokenOfSubprotocols(header(event.headers, 'Sec-WebSocket-Protocol')));
  if (!checked.ok) {
    logger.warn('operator connection refused: unauthorized', { reason: checked.reason });
    throw new Error('Unauthorized');
  }
  const principal = principalName(checked.principal);
  return authorizerPolicy<OperatorAuthContext>('Allow', event.methodArn, principal, { principal });
};

export const handler = withCsms(authorize);
