/** The context the operators' `$connect` authorizer hands to every later event of the connection. */
import type { WsRequestContext } from '../../_common/ws-events.ts';

export interface OperatorAuthContext {
  /** A user name, or `client:<id>` for a machine client. */
  readonly principal: string;
}

export interface OperatorWsEvent {
  readonly headers?: Record<string, string | undefined> | null;
  readonly body?: string;
  readonly requestContext: Omit<WsRequestContext, 'authorizer'> & { readonly authorizer?: Partial<OperatorAuthContext> & { principalId?: string } };
}
