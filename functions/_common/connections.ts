/** The API Gateway @connections management API, behind the domain's ConnectionCloser, ChargerLink and OperatorLink ports. */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionCloser } from '#shared/charger/connection.ts';
import type { ChargerLink } from '#shared/command/ports.ts';
import type { OperatorLink } from '#shared/live/fan-out.ts';
import { awsClientConfig } from '#shared/store/client-config.ts';
import { traced } from '#shared/store/tracing.ts';
import type { WsRequestContext } from './ws-events.ts';

const clients = new Map<string, ApiGatewayManagementApiClient>();

/** A connection that no longer exists (410): an answer, not a fault. */
const isGone = (error: unknown): boolean => error instanceof GoneException;

/** WS_MANAGEMENT_ENDPOINT when set (stage callback URL, or the local gateway); otherwise the event's own API. */
export const managementEndpoint = (configured: string | undefined, rc: WsRequestContext): string =>
  configured ?? `https://${rc.domainName}/${rc.stage}`;

const clientFor = (endpoint: string): ApiGatewayManagementApiClient => {
  let client = clients.get(endpoint);
  if (!client) {
    client = traced(new ApiGatewayManagementApiClient({ ...awsClientConfig('apigatewaymanagementapi'), endpoint }), isGone);
    clients.set(endpoint, client);
  }
  return client;
};

/** Closes a connection; one already gone (410) is closed enough. */
const deleteConnection = async (endpoint: string, connectionId: string, signal?: AbortSignal): Promise<void> => {
  try {
    await clientFor(endpoint).send(new DeleteConnectionCommand({ ConnectionId: connectionId }), signal ? { abortSignal: signal } : {});
  } catch (error) {
    if (!isGone(error)) throw error;
  }
};

/** Posts one message; `gone` when the connection no longer exists. */
const postToConnection = async (endpoint: string, connectionId: string, text: string, signal?: AbortSignal): Promise<'sent' | 'gone'> => {
  try {
    await clientFor(endpoint).send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(text, 'utf8') }), signal ? { abortSignal: signal } : {});
    return 'sent';
  } catch (error) {
    if (isGone(error)) return 'gone';
    throw error;
  }
};

export const connectionCloser = (endpoint: string): ConnectionCloser => ({
  close: (connectionId) => deleteConnection(endpoint, connectionId),
});

/** Writes frames to chargers' connections; a connection that is gone (410) is an answer, not a fault. */
export const chargerLink = (endpoint: string): ChargerLink => ({
  send: (connectionId, frame) => postToConnection(endpoint, connectionId, frame),
});

/**
 * Posts live events to operators' connections, and closes those of subscribers the fan-out drops; each call gives up
 * when `signal` aborts (a slow subscriber). A connection that is gone (410) is an answer, not a fault.
 */
export const operatorLink = (endpoint: string): OperatorLink => ({
  post: (connectionId, message, signal) => postToConnection(endpoint, connectionId, message, signal),
  disconnect: (connectionId, signal) => deleteConnection(endpoint, connectionId, signal),
});
