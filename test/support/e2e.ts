/**
 * The local runtime for one e2e test file, on the run's shared DynamoDB Local under a table prefix of its own,
 * plus helpers to register chargers and open strict ocpp-rpc clients against it.
 */
import { RPCClient } from 'ocpp-rpc';
import type { RPC_ClientOptions } from 'ocpp-rpc/lib/client.js';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../bin/local/runtime.ts';
import { createCharger, type NewCharger } from '#shared/charger/registry.ts';
import { makeDocumentClient } from '#shared/store/document-client.ts';
import { silentLog } from '#shared/log/logger.ts';
import type { StoreDeps } from '#shared/deps.ts';
import { testDynamoEndpoint, uniquePrefix } from './dynamo.ts';

export interface E2e {
  runtime: LocalRuntime;
  store: StoreDeps;
  /** Registers a charger and returns its one-time password. */
  register(input: NewCharger): Promise<string>;
  client(id: string, password: string, protocols: string[]): Promise<RPCClient>;
}

const quiet = { info: () => undefined, warn: () => undefined, error: console.error };

export const storeFor = (runtime: LocalRuntime): StoreDeps => ({
  db: makeDocumentClient({ ...process.env, ...runtime.env }),
  tables: { csms: runtime.tables.Csms, messageLog: runtime.tables.MessageLog },
  now: () => new Date(),
  log: silentLog,
});

/**
 * A strict ocpp-rpc client that does not reconnect. ocpp-rpc's typings mark every option required although
 * the library defaults them, hence the cast of a partial set.
 */
export const ocppClient = async (options: Partial<RPC_ClientOptions>): Promise<RPCClient> => {
  const client = new RPCClient({ strictMode: true, reconnect: false, callTimeoutMs: 10_000, ...options } as RPC_ClientOptions);
  await client.connect();
  return client;
};

export const startE2e = async (opts: LocalRuntimeOptions = {}): Promise<E2e> => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
  const runtime = await startLocalRuntime({
    dynamodbEndpoint: testDynamoEndpoint(),
    tablePrefix: uniquePrefix('e2e'),
    logger: quiet,
    ...opts,
  });
  const store = storeFor(runtime);
  return {
    runtime,
    store,
    async register(input) {
      const created = await createCharger(store, input);
      if (!created.created) throw new Error(`could not register ${input.chargerId}: ${created.reason}`);
      return created.password;
    },
    client: (id, password, protocols) => ocppClient({ endpoint: runtime.wsUrl, identity: id, password, protocols }),
  };
};
