/**
 * Every kind of route in the local runtime, from the fixture table of test/support/route-fixtures.ts: the REST
 * host (with the Cognito authorizer's checks and the stand-in's tokens), the SQS pollers on fauxqs, the DynamoDB Streams poller and the schedule
 * timers, driven through the real AWS SDK, the SFTP stand-in of the platform's `sftp-identity` route (played by a fixture),
 * and S3 event notifications of `bucket` routes (the platform's RecordLandedFiles, played by a fixture, and WatchDrops). Deliveries are awaited with bounded polls, never fixed sleeps.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { OperatorRole, RouteDef } from '#functions/routes.ts';
import { awsClientConfig } from '#shared/store/client-config.ts';
import { LOCAL_AWS_ENV, localDynamoClient } from '../../../bin/local/handler-env.ts';
import { startLocalRuntime } from '../../../bin/local/runtime.ts';
import type { LocalRuntime } from '../../../bin/local/runtime.ts';
import { createTestTables, deleteTestTables } from '../../support/dynamo.ts';
import type { TestTables } from '../../support/dynamo.ts';
import { foreignToken, signIn } from '../../support/operator-tokens.ts';
import { fixtureRegistries, kindRoutes } from '../../support/route-fixtures.ts';
import { fixtureRoutes, loadFixture } from './fixtures/host.ts';
import { type Invocation, invocations, waitForInvocations } from './fixtures/recorder.ts';
import { FIXTURE_SFTP_PASSWORD } from './fixtures/sftp-identity.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** A read with a required query parameter, which the gateway checks before the function runs. */
const historyRoute: RouteDef = {
  kind: 'http',
  id: 'ChargerHistory',
  method: 'GET',
  path: '/chargers/{chargerId}/history',
  auth: { type: 'jwt', roles: ['viewer', 'admin'] },
  query: z.strictObject({ from: z.string(), limit: z.string().optional() }),
  entry: 'kinds/http.ts',
  access: {},
};
// The kind fixtures beside the platform's charger routes (its REST routes and command consumers have their own tests).
const routes: readonly RouteDef[] = [...fixtureRoutes.filter((r) => r.kind !== 'http' && r.kind !== 'queue' && r.kind !== 'stream'), ...kindRoutes, historyRoute];

let runtime: LocalRuntime;
let db: TestTables;
let sqs: SQSClient;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
  db = await createTestTables();
  runtime = await startLocalRuntime({
    dynamodbEndpoint: db.endpoint,
    tablePrefix: db.prefix,
    routes,
    registries: fixtureRegistries,
    loadModule: loadFixture,
    // rate(1 minute) every 100 ms.
    scheduleTimeScale: 600,
    logger: quiet,
  });
  sqs = new SQSClient(awsClientConfig('sqs', { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_SQS: runtime.sqsS3Endpoint }));
});

afterAll(async () => {
  sqs?.destroy();
  await runtime?.stop();
  if (db) await deleteTestTables(db);
});

// `any`: the recorded events are untyped JSON, inspected field by field.
const events = (kind: Invocation['route'], pick: (e: any) => boolean = () => true) =>
  invocations.filter((i) => i.route === kind && pick(i.event)).map((i) => i.event);

describe('http routes: the REST host', () => {
  const tokens = new Map<string, Promise<string>>();
  /** The access token of a person with these roles (one user per set of roles). */
  const token = (roles: OperatorRole[]) => {
    const name = `ops-${roles.join('-')}`;
    if (!tokens.has(name)) tokens.set(name, signIn(runtime.userPool, name, roles).then((t) => t.accessToken));
    return tokens.get(name)!;
  };
  const call = async (method: string, path: string, o: { token?: string; body?: unknown } = {}) => {
    const res = await fetch(`${runtime.restUrl}${path}`, {
      method,
      headers: { ...(o.token ? { Authorization: `Bearer ${o.token}` } : {}), 'content-type': 'application/json' },
      ...(o.body === undefined ? {} : { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as any) : undefined, headers: res.headers };
  };

  it('serves a `none` route without a token, with a REST proxy event', async () => {
    const { status, json, headers } = await call('GET', '/probe?probe=1');
    expect(status).toBe(200);
    expect(headers.get('x-fixture')).toBe('/probe');
    expect(json).toMatchObject({
      resource: '/probe',
      path: '/probe',
      httpMethod: 'GET',
      pathParameters: null,
      queryStringParameters: { probe: '1' },
      multiValueQueryStringParameters: { probe: ['1'] },
      requestContext: { stage: 'local', path: '/local/probe', resourcePath: '/probe', httpMethod: 'GET' },
      body: null,
      isBase64Encoded: false,
    });
  });

  it('sends one Content-Type: the handler’s, whatever its spelling, else application/json', async () => {
    const own = await fetch(`${runtime.restUrl}/probe?probe=1&problem=1`);
    expect(own.headers.get('content-type')).toBe('application/problem+json');
    const fallback = await fetch(`${runtime.restUrl}/probe?probe=1`);
    expect(fallback.headers.get('content-type')).toBe('application/json');
  });

  it('refuses a jwt route without a token or with a token of another issuer, with 401', async () => {
    const refused = await call('GET', '/chargers/CP-1');
    expect(refused).toMatchObject({ status: 401, json: { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Unauthorized' } });
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect((await call('GET', '/chargers/CP-1', { token: await foreignToken(runtime.userPool.issuer) })).status).toBe(401);
  });

  it('passes an access token of the pool, with path parameters and the claims as the Cognito authorizer hands them', async () => {
    const { status, json } = await call('GET', '/chargers/CP%209', { token: await token(['viewer']) });
    expect(status).toBe(200);
    expect(json).toMatchObject({
      resource: '/chargers/{chargerId}',
      path: '/chargers/CP%209',
      pathParameters: { chargerId: 'CP 9' },
      requestContext: { authorizer: { claims: { username: 'ops-viewer', 'cognito:groups': 'viewer', token_use: 'access' } } },
    });
  });

  it('checks the body against the route schema, answering 400 with the reason', async () => {
    const admin = await token(['admin']);
    expect(await call('POST', '/chargers/CP-1/reset', { token: admin, body: 'not JSON' })).toMatchObject({ status: 400, json: { title: 'Bad Request', detail: 'Invalid request body: not JSON' } });
    const bad = await call('POST', '/chargers/CP-1/reset', { token: admin, body: { type: 'Warm', extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.json.detail).toMatch(/^Invalid request body: .*type must be equal to one of the allowed values/);
    const seen = events('http').length;
    const good = await call('POST', '/chargers/CP-1/reset', { token: admin, body: { type: 'Hard' } });
    expect(good).toMatchObject({ status: 200, json: { body: '{"type":"Hard"}', httpMethod: 'POST' } });
    expect(events('http').length).toBe(seen + 1); // only the valid body reached the handler
  });

  it('refuses a call without a required query parameter with 400, naming it, before the function runs', async () => {
    const seen = events('http').length;
    const missing = await call('GET', '/chargers/CP-1/history?limit=5', { token: await token(['viewer']) });
    expect(missing).toMatchObject({ status: 400, json: { title: 'Bad Request', detail: 'Missing required request parameters: [from]' } });
    expect(events('http').length).toBe(seen);
    expect((await call('GET', '/chargers/CP-1/history?from=2026-01-01T00:00:00Z', { token: await token(['viewer']) })).status).toBe(200);
  });

  it('answers unknown paths and methods with 404 problem details, as the stack’s gateway responses do', async () => {
    expect(await call('GET', '/nowhere')).toMatchObject({ status: 404, json: { title: 'Not Found', status: 404, detail: 'No such resource or method' } });
    expect((await call('DELETE', '/probe')).status).toBe(404);
    expect((await fetch(runtime.restUrl!.replace('/local', '/probe'))).status).toBe(404);
  });

  it('serves the reference page of the hosted routes at /docs, without a token', async () => {
    const res = await fetch(`${runtime.restUrl}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('/chargers/{chargerId}/reset');
    expect(html).toContain(`Server: <code>${runtime.restUrl}</code>`);
  });

  it('answers a failing or malformed integration with 502', async () => {
    expect(await call('GET', '/probe?crash=1')).toMatchObject({ status: 502, json: { title: 'Server error', detail: 'Internal server error' } });
    expect((await call('GET', '/probe?malformed=1')).status).toBe(502);
  });
});

describe('queue routes: SQS pollers on fauxqs', () => {
  const ofId = (id: string) => events('queue', (e) => e.id === id);
  const counts = async (url: string) => {
    const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] as const;
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...names] }));
    return names.map((n) => Number(Attributes?.[n] ?? 0));
  };
  /** Until the queue holds nothing, visible or in flight (a message is only gone once deleted or moved). */
  const drained = async (url: string, timeoutMs = 15_000) => {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      if ((await counts(url)).every((n) => n === 0)) return;
    }
    throw new Error(`queue ${url} not drained within ${timeoutMs} ms`);
  };
  const receiveFrom = async (url: string, timeoutMs = 20_000) => {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 2, MaxNumberOfMessages: 10 }));
      if (Messages?.length) return Messages;
    }
    throw new Error(`nothing arrived on ${url} within ${timeoutMs} ms`);
  };

  it('delivers a message once, with Lambda’s SQS record shape, and deletes it', async () => {
    const jobs = runtime.queues.Jobs!;
    await sqs.send(new SendMessageCommand({ QueueUrl: jobs.url, MessageBody: JSON.stringify({ id: 'once' }), MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } } }));
    await waitForInvocations((i) => i.route === 'queue' && i.event.id === 'once', 1);
    await drained(jobs.url);
    const [delivered] = ofId('once');
    expect(ofId('once')).toHaveLength(1);
    expect(delivered.record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: jobs.arn,
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: expect.any(String) },
      messageAttributes: { kind: { stringValue: 'test', dataType: 'String' } },
    });
  });

  it('keeps only the failed item of a batch, retries it, then moves it to the dead-letter queue', async () => {
    const jobs = runtime.queues.Jobs!;
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: jobs.url,
        Entries: [
          { Id: 'a', MessageBody: JSON.stringify({ id: 'fine' }) },
          { Id: 'b', MessageBody: JSON.stringify({ id: 'doomed', fail: 'always' }) },
        ],
      }),
    );
    const [dead] = await receiveFrom(jobs.deadLetterUrl);
    expect(JSON.parse(dead?.Body ?? '{}')).toEqual({ id: 'doomed', fail: 'always' });
    expect(ofId('doomed').map((e) => e.record.attributes.ApproximateReceiveCount)).toEqual(['1', '2']); // maxReceiveCount 2
    expect(ofId('fine')).toHaveLength(1);
  });

  it('returns the whole batch when the handler throws, and delivers it again', async () => {
    const jobs = runtime.queues.Jobs!;
    await sqs.send(new SendMessageCommand({ QueueUrl: jobs.url, MessageBody: JSON.stringify({ id: 'bounce', throwBatch: 'once' }) }));
    await waitForInvocations((i) => i.route === 'queue' && i.event.id === 'bounce' && i.event.outcome === 'ok', 1);
    await drained(jobs.url);
    expect(ofId('bounce').map((e) => e.outcome)).toEqual(['thrown', 'ok']);
  });

  it('keeps FIFO order per message group, also when a message is retried', async () => {
    const ordered = runtime.queues.Ordered!;
    const entries = ['A1', 'B1', 'A2', 'B2', 'A3', 'B3'].map((id) => ({
      Id: id,
      MessageBody: JSON.stringify({ id, ...(id === 'A2' ? { fail: 'once' } : {}) }),
      MessageGroupId: id[0],
    }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: ordered.url, Entries: entries }));
    await waitForInvocations((i) => i.route === 'queue' && /^[AB]\d$/.test(i.event.id) && i.event.outcome === 'ok', 6, 30_000);
    const seen = (group: string) => events('queue', (e) => e.id.startsWith(group) && /^[AB]\d$/.test(e.id)).map((e) => `${e.id}:${e.outcome}`);
    expect(seen('A')).toEqual(['A1:ok', 'A2:failed', 'A2:ok', 'A3:ok']);
    expect(seen('B')).toEqual(['B1:ok', 'B2:ok', 'B3:ok']);
    expect(events('queue', (e) => e.id === 'A1')[0].record.attributes).toMatchObject({ MessageGroupId: 'A', SequenceNumber: expect.any(String) });
  });
});

describe('stream routes: the DynamoDB Streams poller', () => {
  const put = async (item: Record<string, { S: string } | { BOOL: boolean }>) => {
    const client = localDynamoClient(db.endpoint);
    try {
      await client.send(new PutItemCommand({ TableName: runtime.tables.Csms, Item: { sk: { S: 'PROFILE' }, ...item } }));
    } finally {
      client.destroy();
    }
  };
  const ofPk = (pk: string) => events('stream', (e) => e.dynamodb.NewImage?.pk?.S === pk);

  it('delivers a write through the type filter, skipping items of other types', async () => {
    await put({ pk: { S: 'S-OTHER' }, type: { S: 'Connection' } });
    await put({ pk: { S: 'S-CHARGER' }, type: { S: 'Charger' } });
    const [record] = (await waitForInvocations((i) => i.route === 'stream' && i.event.dynamodb.NewImage?.pk?.S === 'S-CHARGER', 1)).map((i) => i.event);
    expect(record).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: expect.stringMatching(/:table\/.*Csms\/stream\//),
      dynamodb: { Keys: { pk: { S: 'S-CHARGER' }, sk: { S: 'PROFILE' } }, StreamViewType: 'NEW_AND_OLD_IMAGES', ApproximateCreationDateTime: expect.any(Number) },
    });
    // Written first, so it would have come first: it was skipped, not delayed.
    expect(ofPk('S-OTHER')).toEqual([]);
  });

  it('tells when everything written before a moment has been delivered', async () => {
    await put({ pk: { S: 'S-CAUGHT-UP' }, type: { S: 'Charger' } });
    const written = performance.now();
    // No poll has begun since the write: the poller cannot vouch for it yet.
    expect(runtime.streamsCaughtUp(written)).toBe(false);
    for (const deadline = Date.now() + 10_000; !runtime.streamsCaughtUp(written) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
    expect(runtime.streamsCaughtUp(written)).toBe(true);
    expect(ofPk('S-CAUGHT-UP')).toHaveLength(1);
  });

  it('retries a failing batch, then describes it on the failure queue', async () => {
    await put({ pk: { S: 'S-POISON' }, type: { S: 'Charger' }, fail: { BOOL: true } });
    const failures = runtime.queues.StreamFailures!;
    let found: any;
    for (const deadline = Date.now() + 20_000; !found && Date.now() < deadline; ) {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: failures.url, WaitTimeSeconds: 2 }));
      found = Messages?.map((m) => JSON.parse(m.Body ?? '{}')).find((b) => b.DDBStreamBatchInfo);
    }
    expect(found).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2, functionArn: expect.stringMatching(/function:ChargerChanges$/) },
      DDBStreamBatchInfo: { batchSize: expect.any(Number), streamArn: expect.stringMatching(/Csms\/stream\//), shardId: expect.any(String) },
    });
    expect(ofPk('S-POISON')).toHaveLength(2); // first try + retryAttempts 1
  });
});

describe('schedule routes: timers', () => {
  it('fires with EventBridge’s Scheduled Event, again and again, with the declared settings', async () => {
    const [event] = (await waitForInvocations((i) => i.route === 'schedule', 2)).map((i) => i.event);
    expect(event).toMatchObject({
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      resources: ['arn:aws:events:us-east-1:000000000000:rule/Tick'],
      detail: {},
      heartbeat: '300',
    });
  });
});

describe('function-url routes: the uploads function URL', () => {
  const uploadsUrl = () => runtime.uploadsUrl ?? '';
  const echoed = async (res: Response) => {
    expect(res.status).toBe(200);
    return (await res.json()) as any;
  };

  it('hands the function Lambda’s payload 2.0 event: raw path, lower-cased headers, a binary body base64-encoded', async () => {
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    const event = await echoed(await fetch(`${uploadsUrl()}/CP-1/t0ken/diag%20file.bin?a=1&a=2`, { method: 'PUT', body: bytes, headers: { 'Content-Type': 'application/octet-stream', 'X-Mixed-Case': 'v', Cookie: 'c=1; d=2' } }));
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/CP-1/t0ken/diag%20file.bin',
      rawQueryString: 'a=1&a=2',
      queryStringParameters: { a: '1,2' },
      cookies: ['c=1', 'd=2'],
      headers: { 'content-type': 'application/octet-stream', 'x-mixed-case': 'v', 'content-length': '6' },
      requestContext: { accountId: 'anonymous', routeKey: '$default', stage: '$default', http: { method: 'PUT', path: '/CP-1/t0ken/diag%20file.bin', sourceIp: '127.0.0.1' } },
      isBase64Encoded: true,
    });
    expect(Buffer.from(event.body, 'base64').equals(bytes)).toBe(true);
    expect(event.headers).not.toHaveProperty('cookie');
  });

  it('passes a text or JSON body as text, and a form base64-encoded', async () => {
    expect(await echoed(await fetch(`${uploadsUrl()}/x`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } }))).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    expect(await echoed(await fetch(`${uploadsUrl()}/x`, { method: 'POST', body: 'line\n', headers: { 'content-type': 'text/plain; charset=utf-8' } }))).toMatchObject({ body: 'line\n', isBase64Encoded: false });
    const form = new FormData();
    form.append('f', new Blob(['x']), 'x.log');
    expect(await echoed(await fetch(`${uploadsUrl()}/x`, { method: 'POST', body: form }))).toMatchObject({ isBase64Encoded: true });
    expect(await echoed(await fetch(`${uploadsUrl()}/x`))).toMatchObject({ isBase64Encoded: false, requestContext: { http: { method: 'GET' } } });
  });

  it('refuses a payload over Lambda’s 6 MiB as Lambda does (413), counting the body base64-encoded, before invoking', async () => {
    const seen = events('function-url').length;
    // 4.8 MB is under 6 MiB, but not once base64-encoded.
    const res = await fetch(`${uploadsUrl()}/CP-1/t`, { method: 'PUT', body: Buffer.alloc(4_800_000, 1), headers: { 'content-type': 'application/octet-stream' } });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' });
    expect(events('function-url').length).toBe(seen);
    // 4.6 MB: 6.13 MB of base64, within the limit with the event around it.
    const fits = await echoed(await fetch(`${uploadsUrl()}/CP-1/t`, { method: 'PUT', body: Buffer.alloc(4_600_000, 1), headers: { 'content-type': 'application/octet-stream' } }));
    expect(fits.body).toBe(`<${4 * Math.ceil(4_600_000 / 3)} characters>`);
  });

  it('turns the function’s answer into the response: status, headers, cookies, a base64 body; a plain value as JSON; a failure as 502', async () => {
    const custom = await fetch(`${uploadsUrl()}/x?status=418`);
    expect(custom.status).toBe(418);
    expect(custom.headers.get('x-fixture')).toBe('yes');
    expect(custom.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(Buffer.from(await custom.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
    const plain = await fetch(`${uploadsUrl()}/x?plain=1`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/json');
    expect(await plain.json()).toEqual({ answered: 'without a status code' });
    const crash = await fetch(`${uploadsUrl()}/x?crash=1`);
    expect(crash.status).toBe(502);
    expect(await crash.text()).toBe('Internal Server Error');
  });

  it('tells routes with fileEndpoints where the uploads endpoint and the SFTP stand-in are', () => {
    expect(runtime.uploadsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(runtime.env.FILE_UPLOAD_URL).toBe(runtime.uploadsUrl);
    expect(runtime.env.FILE_SFTP_URL).toBe(runtime.endpoints.sftp);
  });
});

describe('sftp-identity routes: the SFTP stand-in', () => {
  /** Logs in over SFTP with ssh2's client and writes `files` (path → text); resolves how it went. */
  const upload = (username: string, password: string, files: Record<string, string>) =>
    new Promise<string>((resolve) => {
      const client = new ssh2.Client();
      const done = (outcome: string) => {
        client.end();
        resolve(outcome);
      };
      client
        .on('ready', () =>
          client.sftp((error, sftp) => {
            if (error) return done(error.message);
            const rest = Object.entries(files);
            const next = (): void => {
              const [path, text] = rest.shift() ?? [];
              if (path === undefined) return done('uploaded');
              return sftp.writeFile(path, text ?? '', (e) => (e ? done(e.message) : next()));
            };
            return next();
          }),
        )
        .on('error', (e) => done(e.message))
        .connect({ host: '127.0.0.1', port: Number(new URL(runtime.endpoints.sftp!).port), username, password, hostVerifier: () => true, readyTimeout: 10_000 });
    });
  const keysUnder = async (prefix: string) => {
    const s3 = new S3Client(awsClientConfig('s3', { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_S3: runtime.sqsS3Endpoint }));
    try {
      return ((await s3.send(new ListObjectsV2Command({ Bucket: runtime.buckets.Files, Prefix: prefix }))).Contents ?? []).map((o) => o.Key).sort();
    } finally {
      s3.destroy();
    }
  };

  it('hands a password login to the identity provider as Transfer Family’s event, and writes into the home it answers', async () => {
    expect(await upload('CP-FTP', FIXTURE_SFTP_PASSWORD, { '/diag.txt': 'diagnostics', 'sub/../../log.txt': 'log' })).toBe('uploaded');
    expect(await keysUnder('fixture/')).toEqual(['fixture/CP-FTP/diag.txt', 'fixture/CP-FTP/log.txt']);
    const [event] = events('sftp-identity', (e) => e.username === 'CP-FTP');
    expect(event).toEqual({ username: 'CP-FTP', password: '<given>', protocol: 'SFTP', serverId: expect.stringMatching(/^s-[0-9a-f]{17}$/), sourceIp: '127.0.0.1' });
  });

  it('refuses the login the identity provider answers with nothing, and writes nothing', async () => {
    expect(await upload('CP-NOPE', 'wrong', { '/diag.txt': 'x' })).toMatch(/authentication methods failed/);
    expect(await keysUnder('fixture/CP-NOPE/')).toEqual([]);
  });
});

describe('bucket routes: S3 event notifications from fauxqs', () => {
  let s3: S3Client;
  beforeAll(() => {
    s3 = new S3Client(awsClientConfig('s3', { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_S3: runtime.sqsS3Endpoint }));
  });
  afterAll(() => s3?.destroy());
  const delivered = (key: string) => waitForInvocations((i) => i.route === 'bucket' && i.event.Records[0].s3.object.key === key, 1);

  it('hands a put under a route prefix to its handler as S3’s event, the key URL-encoded as S3 does', async () => {
    const key = 'drops/a folder/price+list (1).txt';
    const put = await s3.send(new PutObjectCommand({ Bucket: runtime.buckets.Files, Key: key, Body: 'eleven byte' }));
    const [hit] = await delivered('drops/a+folder/price%2Blist+%281%29.txt');
    expect(hit!.event.bucketVar).toBe(runtime.buckets.Files);
    expect(hit!.event.Records).toEqual([
      expect.objectContaining({
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        s3: expect.objectContaining({
          bucket: expect.objectContaining({ name: runtime.buckets.Files, arn: `arn:aws:s3:::${runtime.buckets.Files}` }),
          object: expect.objectContaining({ key: 'drops/a+folder/price%2Blist+%281%29.txt', size: 11, eTag: put.ETag!.replace(/"/g, '') }),
        }),
      }),
    ]);
  });

  it('tells a copy and a completed multipart upload by their event names', async () => {
    const Bucket = runtime.buckets.Files;
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'inbox/copied.txt', CopySource: `${Bucket}/drops/a folder/price+list (1).txt` }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'inbox/parts.bin' }));
    const part = await s3.send(new UploadPartCommand({ Bucket, Key: 'inbox/parts.bin', UploadId, PartNumber: 1, Body: 'one part' }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'inbox/parts.bin', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag! }] } }));
    const [copied] = await delivered('inbox/copied.txt');
    const [parts] = await delivered('inbox/parts.bin');
    expect(copied!.event.Records[0]).toMatchObject({ eventName: 'ObjectCreated:Copy', s3: { object: { size: 11 } } });
    expect(parts!.event.Records[0]).toMatchObject({ eventName: 'ObjectCreated:CompleteMultipartUpload', s3: { object: { size: 8, eTag: expect.stringMatching(/-1$/) } } });
  });

  it('delivers a failed event again, as Lambda retries an asynchronous invocation (sped up here)', async () => {
    await s3.send(new PutObjectCommand({ Bucket: runtime.buckets.Files, Key: 'inbox/fail-once.txt', Body: 'retry me' }));
    const [first, again] = await waitForInvocations((i) => i.route === 'bucket' && i.event.Records[0].s3.object.key === 'inbox/fail-once.txt', 2);
    expect(again!.event.Records).toEqual(first!.event.Records);
  });

  it('delivers nothing for keys outside every route’s prefixes, nor twice for one object', async () => {
    await s3.send(new PutObjectCommand({ Bucket: runtime.buckets.Files, Key: 'elsewhere/x.txt', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: runtime.buckets.Files, Key: 'drops/last.txt', Body: 'last' }));
    await delivered('drops/last.txt');
    expect(events('bucket', (e) => e.Records[0].s3.object.key.startsWith('elsewhere/'))).toEqual([]);
    expect(events('bucket', (e) => e.Records[0].s3.object.key === 'drops/last.txt')).toHaveLength(1);
    expect(events('bucket', (e) => e.Records[0].s3.object.key === 'inbox/copied.txt')).toHaveLength(1);
  });
});

describe('start-up', () => {
  it('lists every endpoint it serves', () => {
    expect(Object.keys(runtime.endpoints).sort()).toEqual(['chargerConnections', 'chargerWebSocket', 'cognito', 'dynamodb', 'firmwareHttp', 'metrics', 'operatorsConnections', 'operatorsWebSocket', 'restApi', 's3', 'secretsManager', 'sftp', 'sqs', 'uploads']);
    expect(runtime.endpoints.sftp).toMatch(/^sftp:\/\/127\.0\.0\.1:\d+$/);
    expect(runtime.endpoints.firmwareHttp).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(runtime.routeCounts).toEqual({
      'ws-authorizer': 2,
      ws: 6,
      http: routes.filter((r) => r.kind === 'http').length,
      queue: 2,
      stream: 1,
      schedule: 4,
      'function-url': 1,
      'sftp-identity': 1,
      bucket: 2,
    });
  });

  it.each([
    [{ kind: 'carrier-pigeon', id: 'Pigeon', entry: 'kinds/http.ts', access: {} }, /Pigeon \(carrier-pigeon\): unknown kind/],
    [{ kind: 'queue', id: 'Lost', queue: 'Nowhere', reportBatchItemFailures: false, entry: 'kinds/queue.ts', access: {} }, /Lost \(queue\): consumes queue "Nowhere"/],
    [{ kind: 'http', id: 'Open', method: 'DELETE', path: '/x', auth: { type: 'none' }, entry: 'kinds/http.ts', access: { tables: { Nope: { actions: ['GetItem'] } } } }, /Open \(http\): access names table "Nope".*\n.*Open \(http\): auth none on DELETE needs a reason/],
    [{ kind: 'function-url', id: 'Silent', name: 'uploads', reason: ' ', entry: 'upload/receive-upload.ts', access: {} }, /Silent \(function-url\): a function URL has no gateway auth: reason must say why/],
  ] as [RouteDef, RegExp][])('refuses a table it cannot host before starting anything: %o', async (route, message) => {
    await expect(startLocalRuntime({ routes: [...routes, route], registries: fixtureRegistries, loadModule: loadFixture, logger: quiet })).rejects.toThrow(message);
  });
});
