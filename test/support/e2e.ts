/**
 * The local runtime for one e2e test file, on the run's shared DynamoDB Local under a table prefix of its own,
 * plus helpers to register chargers and open strict ocpp-rpc clients against it.
 */
import { randomBytes } from 'node:crypto';
import { RPCClient } from 'ocpp-rpc';
import type { RPC_ClientOptions } from 'ocpp-rpc/lib/client.js';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../bin/local/runtime.ts';
import { createCharger, type NewCharger } from '#shared/charger/registry.ts';
import { silentLog } from '#shared/log/logger.ts';
import type { Deps } from '#shared/deps.ts';
import { makeDeps } from '#functions/_common/deps.ts';
import { filesBucket } from '#shared/store/buckets.ts';
import { withFileObjects } from '#functions/_common/file-objects.ts';
import { createSecretReader, passwordKeys } from '#functions/_common/secrets.ts';
import { testDynamoEndpoint, uniquePrefix } from './dynamo.ts';

/** Where the e2e suite's chargers connect: the in-process local runtime, or a deployed stack. */
export interface E2eTarget {
  wsUrl: string;
  chargerUrl(chargeBoxId: string): string;
  stop(): Promise<unknown>;
}

export interface E2e {
  runtime: E2eTarget;
  deps: Deps;
  /** Registers a charger and returns its one-time password. */
  register(input: NewCharger): Promise<string>;
  /** A connected client; a Buffer password is sent as those bytes (a binary 1.6 AuthorizationKey). */
  client(id: string, password: string | Buffer, protocols: string[]): Promise<RPCClient>;
}

const quiet = { info: () => undefined, warn: () => undefined, error: console.error };

/** The runtime's tables, and its password pepper (as its Secrets Manager stand-in serves it) for generated passwords. */
export const depsFor = (runtime: LocalRuntime): Deps => {
  const env = { ...process.env, ...runtime.env };
  const base = makeDeps(env, silentLog);
  // The files bucket, as the handlers that touch it add it (functions/_common/files.ts).
  return { ...(env[filesBucket.envVar] ? withFileObjects(base, env) : base), passwordPepper: runtime.secrets.passwordPepper };
};

/**
 * A strict ocpp-rpc client that does not reconnect. ocpp-rpc's typings mark every option required although
 * the library defaults them, hence the cast of a partial set.
 */
export const ocppClient = async (options: Partial<RPC_ClientOptions>): Promise<RPCClient> => {
  const client = new RPCClient({ strictMode: true, reconnect: false, callTimeoutMs: 10_000, ...options } as RPC_ClientOptions);
  await client.connect();
  return client;
};

/**
 * A deployed stack (LocalStack, or a dev stage on AWS) instead of the local runtime: set E2E_CHARGER_URL to the
 * stack's ChargerUrl output without `/{chargeBoxId}`, CSMS_TABLE and MESSAGE_LOG_TABLE to its table names,
 * PASSWORD_PEPPER_SECRET_ID to its PasswordPepper secret (registering chargers hashes their passwords under it), and
 * AWS credentials / AWS_ENDPOINT_URL for the tables. See localstack/README.md.
 */
export const deployedTarget = process.env.E2E_CHARGER_URL;

/** Suffix for charger ids, so runs against a long-lived deployed stack do not meet each other's data. */
export const runId = randomBytes(3).toString('hex');

const remote = async (wsUrl: string): Promise<{ runtime: E2eTarget; deps: Deps }> => {
  if (!process.env.CSMS_TABLE || !process.env.MESSAGE_LOG_TABLE) throw new Error('E2E_CHARGER_URL needs CSMS_TABLE and MESSAGE_LOG_TABLE too');
  if (!process.env.PASSWORD_PEPPER_SECRET_ID) throw new Error('E2E_CHARGER_URL needs PASSWORD_PEPPER_SECRET_ID too');
  return {
    runtime: { wsUrl, chargerUrl: (id) => `${wsUrl}/${encodeURIComponent(id)}`, stop: async () => undefined },
    deps: { ...makeDeps(process.env, silentLog), ...(await passwordKeys(createSecretReader())) },
  };
};

const local = async (opts: LocalRuntimeOptions) => {
  const runtime = await startLocalRuntime({
    dynamodbEndpoint: testDynamoEndpoint(),
    tablePrefix: uniquePrefix('e2e'),
    logger: quiet,
    ...opts,
  });
  return { runtime, deps: depsFor(runtime) };
};

export const startE2e = async (opts: LocalRuntimeOptions = {}): Promise<E2e> => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
  const { runtime, deps } = deployedTarget ? await remote(deployedTarget) : await local(opts);
  return {
    runtime,
    deps,
    async register(input) {
      const created = await createCharger(deps, input);
      if (!created.created) throw new Error(`could not register ${input.chargerId}: ${created.reason}`);
      return created.password;
    },
    // ocpp-rpc types `password` as a string; its client builds the Basic header from a Buffer's bytes too.
    client: (id, password, protocols) => ocppClient({ endpoint: runtime.wsUrl, identity: id, password: password as string, protocols }),
  };
};

/** Registers a charger, connects it with a strict client of one OCPP version and has its boot accepted. */
export const bootedCharger = async (e: E2e, chargerId: string, protocol: 'ocpp1.6' | 'ocpp2.0.1'): Promise<RPCClient> => {
  const password = await e.register({ chargerId });
  const client = await e.client(chargerId, password, [protocol]);
  const boot = protocol === 'ocpp1.6' ? { chargePointVendor: 'Acme', chargePointModel: 'One' } : { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'Two' } };
  const answer = (await client.call('BootNotification', boot)) as { status?: unknown };
  if (answer.status !== 'Accepted') throw new Error(`the boot of ${chargerId} was answered ${JSON.stringify(answer)}`);
  return client;
};
