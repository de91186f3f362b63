/**
 * How other commands find a running `npm start`: `<dataDir>/runtime.json` exists while it runs. The CLI uses
 * `ensureLocalDynamo()`: the running runtime's DynamoDB Local if there is one, else its own on the same data.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tables } from '#shared/store/tables.ts';
import type { TableName } from '#shared/store/tables.ts';
import { DbPathBusyError, readDbOwner } from './db-lock.ts';
import { startDynamoLocal } from './dynamo-local.ts';
import { LOCAL_AWS_ENV, localDynamoClient } from './handler-env.ts';
import { isAlive } from './os.ts';
import { ensureTables, physicalTableName } from './tables.ts';

/** `.local/` at the repository root: where `npm start` keeps its data. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../.local/', import.meta.url));

/** Where DynamoDB Local keeps its file under a data directory. */
export const dynamoDataPath = (dataDir: string): string => join(dataDir, 'ddb');

export interface RuntimeFile {
  readonly pid: number;
  readonly port: number;
  readonly dynamodbEndpoint: string;
  readonly tables: Readonly<Record<TableName, string>>;
  readonly startedAt: string;
}

const runtimeFile = (dataDir: string) => join(dataDir, 'runtime.json');

export const writeRuntimeFile = (dataDir: string, info: RuntimeFile): void =>
  writeFileSync(runtimeFile(dataDir), `${JSON.stringify(info, null, 2)}\n`);

export const removeRuntimeFile = (dataDir: string): void => rmSync(runtimeFile(dataDir), { force: true });

/** The running runtime's file, or undefined when none runs (a file left by a killed runtime is ignored). */
export const readRuntimeFile = (dataDir: string = DEFAULT_DATA_DIR): RuntimeFile | undefined => {
  try {
    const info = JSON.parse(readFileSync(runtimeFile(dataDir), 'utf8')) as RuntimeFile;
    return isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
};

export interface LocalDynamo {
  readonly endpoint: string;
  readonly tables: Readonly<Record<TableName, string>>;
  /** AWS_REGION, credentials, AWS_ENDPOINT_URL_DYNAMODB and each table's env var, for `awsClientConfig`. */
  readonly env: Readonly<Record<string, string>>;
  /** Whether this call started DynamoDB Local (then `stop()` stops it); false when it attached to a running one. */
  readonly started: boolean;
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
 * DynamoDB Local on the persistent data, with the tables created: the one `npm start` runs if it is up,
 * otherwise one started for the caller (never a second one on the same data). Call `stop()` when done.
 */
export const ensureLocalDynamo = async (opts: { dataDir?: string } = {}): Promise<LocalDynamo> => {
  const dataDir = resolve(opts.dataDir ?? DEFAULT_DATA_DIR);
  const running = readRuntimeFile(dataDir);
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
      stop: stop ?? (async () => undefined),
    };
  } catch (e) {
    await stop?.();
    throw e;
  } finally {
    db.destroy();
  }
};
