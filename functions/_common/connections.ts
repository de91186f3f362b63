/** The API Gateway @connections management API, behind the domain's ConnectionCloser port. */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionCloser } from '#shared/charger/connection.ts';
import { awsClientConfig } from '#shared/store/client-config.ts';
import type { WsRequestContext } from './ws-events.ts';

const clients = new Map<string, ApiGatewayManagementApiClient>();

/** WS_MANAGEMENT_ENDPOINT when set (stage callback URL, or the local gateway); otherwise the event's own API. */
export const managementEndpoint = (configured: string | undefined, rc: WsRequestContext): string =>
  configured ?? `https://${rc.domainName}/${rc.stage}`;

const clientFor = (endpoint: string): ApiGatewayManagementApiClient => {
  let client = clients.get(endpoint);
  if (!client) {
    client = new ApiGatewayManagementApiClient({ ...awsClientConfig('apigatewaymanagementapi'), endpoint });
    clients.set(endpoint, client);
  }
  return client;
};

export const connectionCloser = (endpoint: string): ConnectionCloser => ({
  async close(connectionId) {
    try {
      await clientFor(endpoint).send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (!(error instanceof GoneException)) throw error;
    }
  },
});
