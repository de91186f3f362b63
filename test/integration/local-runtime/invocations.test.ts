/**
 * Invocations as Lambda runs them, though they share one process here: a timed-out invocation's later writes
 * never reach DynamoDB, and concurrent invocations' log lines each carry their own request id.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { localDynamoClient } from '../../../bin/local/handler-env.ts';
import { startLocalRuntime } from '../../../bin/local/runtime.ts';
import type { LocalRuntime } from '../../../bin/local/runtime.ts';
import { createTestTables, deleteTestTables } from '../../support/dynamo.ts';
import type { TestTables } from '../../support/dynamo.ts';
import { nextMessage, openSocket } from '../../support/ws-client.ts';
import { fixtureRoutes, loadFixture } from './fixtures/host.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const GOOD = { basic: 'any:secret', protocols: ['ocpp1.6'] };

let runtime: LocalRuntime;
let db: TestTables;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  db = await createTestTables();
  runtime = await startLocalRuntime({
    dynamodbEndpoint: db.endpoint,
    tablePrefix: db.prefix,
    // $default times out after 1 s here.
    routes: fixtureRoutes.map((r) => (r.kind === 'ws' && r.routeKey === '$default' ? { ...r, timeoutSeconds: 1 } : r)),
    loadModule: loadFixture,
    idleTimeoutMs: 0,
    maxConnectionMs: 0,
    logger: quiet,
  });
});

afterEach(() => {
  for (const ws of sockets.splice(0)) ws.close();
  vi.restoreAllMocks();
});

afterAll(async () => {
  await runtime?.stop();
  if (db) await deleteTestTables(db);
});

const exists = async (tag: string) => {
  const client = localDynamoClient(runtime.dynamodbEndpoint);
  try {
    const out = await client.send(
      new GetItemCommand({ TableName: runtime.tables.Csms, Key: { pk: { S: `LATE#${tag}` }, sk: { S: 'LATE' } }, ConsistentRead: true }),
    );
    return out.Item !== undefined;
  } finally {
    client.destroy();
  }
};

it('stops a timed-out invocation from writing: its write after the timeout never reaches DynamoDB', async () => {
  const ws = await openSocket(runtime.chargerUrl('CP-LATE'), GOOD);
  sockets.push(ws);
  const inTime = nextMessage(ws);
  ws.send(JSON.stringify({ action: 'late-write', tag: 'in-time', ms: 0 }));
  expect(await inTime).toBe('written');
  const failure = nextMessage(ws);
  ws.send(JSON.stringify({ action: 'late-write', tag: 'too-late', ms: 1_300 }));
  expect(JSON.parse(await failure)).toMatchObject({ message: 'Internal server error' });
  await new Promise((r) => setTimeout(r, 1_000)); // the handler wakes at 1.3 s and tries to write
  expect(await exists('in-time')).toBe(true);
  expect(await exists('too-late')).toBe(false);
});

it("stamps each concurrent invocation's log lines with its own request id", async () => {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = chunk.toString();
    if (text.includes('fixture log')) lines.push(text);
    else write(chunk, ...rest);
    return true;
  }) as typeof process.stdout.write);
  const replies: Promise<string>[] = [];
  for (let c = 0; c < 4; c += 1) {
    const ws = await openSocket(runtime.chargerUrl(`CP-LOG-${c}`), GOOD);
    sockets.push(ws);
    const answers: string[] = [];
    const all = new Promise<string>((resolve) =>
      ws.on('message', (data: Buffer) => {
        answers.push(data.toString());
        if (answers.length === 5) resolve(JSON.stringify(answers));
      }),
    );
    replies.push(all);
    // Uneven sleeps interleave the invocations: each logs while others have started since.
    for (let i = 0; i < 5; i += 1) ws.send(JSON.stringify({ action: 'log', tag: `${c}-${i}`, ms: ((i * 7 + c * 13) % 5) * 20 }));
  }
  const answered = (await Promise.all(replies)).flatMap((r) => (JSON.parse(r) as string[]).map((a) => JSON.parse(a)));
  const requestIdOf = new Map(answered.map((a: { tag: string; requestId: string }) => [a.tag, a.requestId]));
  const logged = lines.flatMap((l) => l.split('\n').filter(Boolean)).map((l) => JSON.parse(l));
  expect(logged).toHaveLength(20);
  for (const line of logged) expect({ tag: line.tag, id: line.function_request_id }).toEqual({ tag: line.tag, id: requestIdOf.get(line.tag) });
});
