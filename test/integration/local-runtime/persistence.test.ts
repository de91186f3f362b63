/**
 * `npm start` keeps its data: DynamoDB Local on a dbPath, stream consumers' positions, runtime.json for the CLI
 * while it runs, and the CLI's ensureLocalDynamo() that reuses a running runtime's DynamoDB Local or starts one on
 * the same data.
 * Each start here spawns Java, so the timeouts are generous.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, expect, it } from 'vitest';
import { localDynamoClient } from '../../../bin/local/handler-env.ts';
import { ensureLocalDynamo, readRuntimeFile } from '../../../bin/local/runtime-file.ts';
import { startLocalRuntime } from '../../../bin/local/runtime.ts';
import { openSocket } from '../../support/ws-client.ts';
import { fixtureRegistries, kindRoutes } from '../../support/route-fixtures.ts';
import { fixtureRoutes, loadFixture } from './fixtures/host.ts';
import { invocations, waitForInvocation, waitForInvocations } from './fixtures/recorder.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const dataDirs: string[] = [];

const freshDataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ov2x-local-'));
  dataDirs.push(dir);
  return dir;
};

const startOn = (dataDir: string) =>
  startLocalRuntime({ dataDir, routes: fixtureRoutes, loadModule: loadFixture, logger: quiet });

/** The item the fixture $connect writes for a charger. */
const connectionItem = async (endpoint: string, table: string, chargeBoxId: string) => {
  const db = localDynamoClient(endpoint);
  try {
    const key = { pk: { S: `CHARGER#${chargeBoxId}` }, sk: { S: 'CONNECTION' } };
    return (await db.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
  } finally {
    db.destroy();
  }
};

const answers = (endpoint: string) => fetch(endpoint).then(() => true, () => false);

afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

it('keeps what a handler wrote across a stop and a start on the same data directory', { timeout: 90_000 }, async () => {
  const dataDir = freshDataDir();
  const first = await startOn(dataDir);
  const ws = await openSocket(first.chargerUrl('CP-KEEP'), { basic: 'any:secret', protocols: ['ocpp1.6'] });
  const { connectionId } = (await waitForInvocation('$connect', 'CP-KEEP')).event.requestContext;
  ws.close();
  await first.stop();
  expect(await answers(first.dynamodbEndpoint)).toBe(false);

  const second = await startOn(dataDir);
  try {
    const item = await connectionItem(second.dynamodbEndpoint, second.tables.Csms, 'CP-KEEP');
    expect(item?.connectionId).toEqual({ S: connectionId });
  } finally {
    await second.stop();
  }
});

it('lets the CLI use the running runtime’s DynamoDB Local, and start its own on the same data after', { timeout: 90_000 }, async () => {
  const dataDir = freshDataDir();
  const runtime = await startOn(dataDir);
  await openSocket(runtime.chargerUrl('CP-CLI'), { basic: 'any:secret', protocols: ['ocpp1.6'] }).then((ws) => ws.close());
  await waitForInvocation('$connect', 'CP-CLI');
  expect(readRuntimeFile(dataDir)).toMatchObject({ port: runtime.port, dynamodbEndpoint: runtime.dynamodbEndpoint });

  const attached = await ensureLocalDynamo({ dataDir });
  expect(attached).toMatchObject({ started: false, endpoint: runtime.dynamodbEndpoint, tables: runtime.tables });
  expect(attached.env).toMatchObject({ AWS_ENDPOINT_URL_DYNAMODB: runtime.dynamodbEndpoint, CSMS_TABLE: 'Csms' });
  await attached.stop(); // a no-op: the runtime owns it
  expect(await answers(runtime.dynamodbEndpoint)).toBe(true);
  await runtime.stop();
  expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);

  const own = await ensureLocalDynamo({ dataDir });
  try {
    expect(own.started).toBe(true);
    expect((await connectionItem(own.endpoint, own.tables.Csms, 'CP-CLI'))?.connectionId).toBeDefined();
  } finally {
    await own.stop();
  }
  expect(await answers(own.endpoint)).toBe(false);
});

it('keeps a stream consumer’s position in the data directory, so a restart delivers only what is new', { timeout: 120_000 }, async () => {
  const dataDir = freshDataDir();
  const startAll = () =>
    startLocalRuntime({ dataDir, routes: [...fixtureRoutes.filter((r) => r.kind !== 'http' && r.kind !== 'queue' && r.kind !== 'stream'), ...kindRoutes], registries: fixtureRegistries, loadModule: loadFixture, logger: quiet });
  const put = async (rt: Awaited<ReturnType<typeof startAll>>, pk: string) => {
    const db = localDynamoClient(rt.dynamodbEndpoint);
    try {
      await db.send(new PutItemCommand({ TableName: rt.tables.Csms, Item: { pk: { S: pk }, sk: { S: 'PROFILE' }, type: { S: 'Charger' } } }));
    } finally {
      db.destroy();
    }
  };
  const delivered = (pk: string) => (i: (typeof invocations)[number]) => i.route === 'stream' && i.event.dynamodb.NewImage?.pk?.S === pk;

  const first = await startAll();
  await put(first, 'P-BEFORE');
  await waitForInvocations(delivered('P-BEFORE'), 1);
  await first.stop();
  expect(existsSync(join(dataDir, 'streams', 'ChargerChanges.json'))).toBe(true);

  const second = await startAll();
  try {
    await put(second, 'P-AFTER');
    await waitForInvocations(delivered('P-AFTER'), 1);
    expect(invocations.filter(delivered('P-BEFORE'))).toHaveLength(1);
  } finally {
    await second.stop();
  }
});
