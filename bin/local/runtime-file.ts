/**
 * How other commands find a running `npm start`, whatever it was started with. Every run writes its endpoints to
 * `.local/runtimes/<pid>-<n>.json` (env LOCAL_RUNTIMES_DIR overrides the directory), and a run with a data
 * directory also to `<dataDir>/runtime.json`. Both are removed when it stops; a file left by a killed run is
 * ignored (its process is gone). The CLI uses `ensureLocalDynamo()`: the running runtime's DynamoDB if there is
 * one, else DynamoDB Local started on the data directory for the command.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SecretName } from '#functions/_common/env.ts';
import { tables } from '#shared/store/tables.ts';
import type { TableName } from '#shared/store/tables.ts';
import { DbPathBusyError, readDbOwner } from './db-lock.ts';
import { startDynamoLocal } from './dynamo-local.ts';
import { LOCAL_AWS_ENV, localDynamoClient } from './handler-env.ts';
import { isAlive } from './os.ts';
import { ensureTables, physicalTableName } from './tables.ts';

/** `.local/` at the repository root: where `npm start` keeps its data. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../.local/', import.meta.url));

/** Where every running runtime announces itself. */
export const runtimesDir = (): string => resolve(process.env.LOCAL_RUNTIMES_DIR ?? join(DEFAULT_DATA_DIR, 'runtimes'));

/** Where DynamoDB Local keeps its file under a data directory. */
export const dynamoDataPath = (dataDir: string): string => join(dataDir, 'ddb');

export interface RuntimeFile {
  readonly pid: number;
  readonly startedAt: string;
  /** Null for a runtime that keeps everything in memory. */
  readonly dataDir: string | null;
  /** Port of the charger WebSocket API (and its @connections), when the table has one. */
  readonly port?: number;
  readonly dynamodbEndpoint: string;
  /** Everything it serves, by name: chargerWebSocket, chargerConnections, restApi, dynamodb, sqs, s3, secretsManager, ... */
  readonly endpoints: Readonly<Record<string, string>>;
  readonly tables: Readonly<Record<TableName, string>>;
  /** Queue URLs by logical name. */
  readonly queues: Readonly<Record<string, string>>;
  /** Local bucket names by logical name. */
  readonly buckets: Readonly<Record<string, string>>;
  /**
   * The id of each secret in its Secrets Manager stand-in (`endpoints.secretsManager`): the CLI reads the password
   * pepper from there, as the handlers do. Ids only; the values never leave the stand-in.
   */
  readonly secretIds?: Readonly<Partial<Record<SecretName, string>>>;
  /** The Cognito stand-in's user pool: the CLI's `user` and `client` commands go there (ids and URLs, no keys). */
  readonly userPool?: LocalUserPool;
}

/** Where the local user pool is: what the runtime file and the banner name. */
export interface LocalUserPool {
  readonly id: string;
  /** The stand-in's endpoint (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER). */
  readonly endpoint: string;
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly tokenUrl: string;
  /** The app client people sign in with. */
  readonly peopleClientId: string;
}

const dataDirFile = (dataDir: string) => join(dataDir, 'runtime.json');
let announced = 0;

const write = (file: string, info: RuntimeFile) => writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`);

const read = (file: string): RuntimeFile | undefined => {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as RuntimeFile;
    return isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
};

/** Writes the runtime's files; returns a function removing them. */
export const announceRuntime = (info: RuntimeFile): (() => void) => {
  const dir = runtimesDir();
  mkdirSync(dir, { recursive: true });
  const own = join(dir, `${process.pid}-${++announced}.json`);
  write(own, info);
  if (info.dataDir) write(dataDirFile(info.dataDir), info);
  return () => {
    rmSync(own, { force: true });
    if (info.dataDir) rmSync(dataDirFile(info.dataDir), { force: true });
  };
};

/** The runtime running on `dataDir`, or undefined when none runs. */
export const readRuntimeFile = (dataDir: string = DEFAULT_DATA_DIR): RuntimeFile | undefined => read(dataDirFile(dataDir));

/** Every runtime running now (on this checkout, or under LOCAL_RUNTIMES_DIR). */
export const runningRuntimes = (): RuntimeFile[] => {
  try {
    const dir = runtimesDir();
    return readdirSync(dir).flatMap((f) => (f.endsWith('.json') ? [read(join(dir, f))] : [])).filter((r) => r !== undefined);
  } catch {
    return [];
  }
};

export class RuntimeLookupError extends Error {
  override readonly name = 'RuntimeLookupError';
}

const describe = (r: RuntimeFile) => `process ${r.pid} (${r.dataDir ?? 'in memory'})`;

/** Which runtime the CLI should use; undefined when none runs for that choice. */
export interface RuntimeChoice {
  /** The runtime on this data directory. */
  readonly dataDir?: string;
  /** The one runtime running in memory. */
  readonly inMemory?: boolean;
}

export const findRuntime = (choice: RuntimeChoice = {}): RuntimeFile | undefined => {
  if (choice.dataDir !== undefined) return readRuntimeFile(resolve(choice.dataDir));
  const running = runningRuntimes();
  const candidates = choice.inMemory ? running.filter((r) => r.dataDir === null) : running;
  if (choice.inMemory && candidates.length === 0) throw new RuntimeLookupError('no `npm start -- --in-memory` is running');
  if (candidates.length <= 1) return candidates[0];
  const onDefault = candidates.find((r) => r.dataDir !== null && resolve(r.dataDir) === resolve(DEFAULT_DATA_DIR));
  if (onDefault && !choice.inMemory) return onDefault;
  throw new RuntimeLookupError(
    `${candidates.length} local runtimes are running: ${candidates.map(describe).join(', ')}. ` +
      'Pick one with --data-dir <dir> or --in-memory.',
  );
};

export interface LocalDynamo {
  readonly endpoint: string;
  readonly tables: Readonly<Record<TableName, string>>;
  /** AWS_REGION, credentials, AWS_ENDPOINT_URL_DYNAMODB and each table's env var, for `awsClientConfig`. */
  readonly env: Readonly<Record<string, string>>;
  /** Whether this call started DynamoDB Local (then `stop()` stops it); false when it attached to a running one. */
  readonly started: boolean;
  /** The runtime it attached to, if any. */
  readonly runtime?: RuntimeFile;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Another command just claimed the data and is starting DynamoDB Local: wait for its endpoint. */
const endpointOfOwner = async (dbPath: string, timeoutMs = 30_000): Promise<string | undefined> => {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(200)) {
    const owner = readDbOwner(dbPath);
    if (!owner || !isAlive(owner.pid)) return undefined;
    if (owner.endpoint) return owner.endpoint;
  }
  return undefined;
};

const startOrAttach = async (dataDir: string): Promise<{ endpoint: string; stop?: () => Promise<void> }> => {
  const dbPath = dynamoDataPath(dataDir);
  try {
    const ddb = await startDynamoLocal({ dbPath });
    return { endpoint: ddb.endpoint, stop: ddb.stop };
  } catch (e) {
    const endpoint = e instanceof DbPathBusyError ? await endpointOfOwner(dbPath) : undefined;
    if (endpoint) return { endpoint };
    throw e;
  }
};

const defaultTables = () =>
  Object.fromEntries(tables.map((t) => [t.name, physicalTableName(t)])) as Record<TableName, string>;

const tableVarsOf = (names: Readonly<Record<TableName, string>>) =>
  Object.fromEntries(tables.map((t) => [t.envVar, names[t.name]]));

/**
 * DynamoDB with the tables created: the running runtime's (found by `findRuntime`, whatever it was started
 * with), otherwise DynamoDB Local started on the data directory for the caller (never a second one on the same
 * data, and never for `inMemory`, whose data lives only in its runtime). Call `stop()` when done.
 */
export const ensureLocalDynamo = async (choice: RuntimeChoice = {}): Promise<LocalDynamo> => {
  const running = findRuntime(choice);
  if (!running && choice.inMemory) throw new RuntimeLookupError('no `npm start -- --in-memory` is running');
  const dataDir = resolve(choice.dataDir ?? DEFAULT_DATA_DIR);
  const { endpoint, stop } = running ? { endpoint: running.dynamodbEndpoint, stop: undefined } : await startOrAttach(dataDir);
  const names = running?.tables ?? defaultTables();
  const db = localDynamoClient(endpoint);
  try {
    if (!running) await ensureTables(db, tables); // a running runtime has created its tables already
    return {
      endpoint,
      tables: names,
      env: { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_DYNAMODB: endpoint, ...tableVarsOf(names) },
      started: stop !== undefined,
      ...(running ? { runtime: running } : {}),
      stop: stop ?? (async () => undefined),
    };
  } catch (e) {
    await stop?.();
    throw e;
  } finally {
    db.destroy();
  }
};
