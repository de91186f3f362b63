/**
 * The API harness as the charger and location routes need it: the password pepper in the local Secrets Manager
 * stand-in (generated passwords are MACed with it) and an @connections endpoint that records which connections
 * the handlers close.
 */
import type { AddressInfo } from 'node:net';
import { SECRET_NAMES, SECRETS } from '#functions/_common/env.ts';
import { createSecretReader, passwordKeys } from '#functions/_common/secrets.ts';
import type { Deps } from '#shared/deps.ts';
import { localSecrets, serveLocalSecrets } from '../../../bin/local/secrets.ts';
import { startApiHarness, type ApiHarness } from '../../support/api-harness.ts';
import { startLocalCommandQueue, type LocalCommandQueue } from '../../support/command-queue.ts';
import { connectionsEndpoint, PASSWORD_PEPPER } from '../../support/handler-harness.ts';

export { PASSWORD_PEPPER };

export interface ChargerApiHarness extends ApiHarness {
  /** With the pepper, for domain calls the tests make themselves. */
  readonly credentialDeps: Deps;
  readonly closedConnections: string[];
  /** The command queue, where the test asked for one (routes that queue commands need it). */
  readonly commandQueue: LocalCommandQueue | undefined;
}

export const startChargerApi = async (options: { readonly commandQueue?: boolean } = {}): Promise<ChargerApiHarness> => {
  // Before the handlers load: the queue adapter reads its URL and endpoint from process.env.
  const commandQueue = options.commandQueue ? await startLocalCommandQueue() : undefined;
  const closedConnections: string[] = [];
  const server = await connectionsEndpoint({ deletes: closedConnections });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const secrets = await serveLocalSecrets({ ...localSecrets(undefined), passwordPepper: PASSWORD_PEPPER });
  const api = await startApiHarness({
    ...Object.fromEntries(SECRET_NAMES.map((name) => [SECRETS[name].envVar, secrets.ids[name]])),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    WS_MANAGEMENT_ENDPOINT: endpoint,
    AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI: endpoint,
  });
  const credentialDeps: Deps = { ...api.deps, ...(await passwordKeys(createSecretReader())) };
  return {
    ...api,
    credentialDeps,
    closedConnections,
    commandQueue,
    async close() {
      server.close();
      await api.close();
      await commandQueue?.stop();
    },
  };
};
