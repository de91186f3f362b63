/**
 * Runs the real Lambda handler modules of functions/ws against this file's tables on the shared DynamoDB
 * Local, through the real AWS SDK. The environment is set before the handlers are imported, as Lambda
 * sets it before the cold start. A tiny @connections endpoint records which connections the handlers close.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import { makeDocumentClient } from '#shared/store/dynamo.ts';
import type { Deps } from '#shared/deps.ts';
import { SECRET_NAMES, SECRETS, type SecretName } from '#functions/_common/env.ts';
import { silentLog } from '#shared/log/logger.ts';
import { makeDeps } from '#functions/_common/deps.ts';
import { createSecretReader, passwordKeys } from '#functions/_common/secrets.ts';
import { messageEvent, type ApiInfo } from '../../bin/local/events/index.ts';
import { localSecrets, serveLocalSecrets } from '../../bin/local/secrets.ts';
import { createTestTables, deleteTestTables, type TestTables } from './dynamo.ts';

export const ORIGIN_SECRET = 'test-origin-secret-0123456789';
export const PASSWORD_PEPPER = 'test-password-pepper-0123456789-abcdefghij';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export interface Harness {
  tables: TestTables;
  /** The domain's dependencies on this file's tables, built as the handlers build theirs. */
  deps: Deps;
  handlers: { authorize: Handler; connect: Handler; disconnect: Handler; message: Handler };
  /** The local Secrets Manager the handlers read their secrets from, and each secret's id there. */
  secretsManager: { endpoint: string; ids: Record<SecretName, string> };
  /** Connection ids the handlers asked API Gateway to close. */
  closedConnections: string[];
  /**
   * Sends one raw frame from `chargerId` as a $default event; returns the route response body. `registration` is
   * what the authorizer context says (absent: as on a connection opened before it carried one).
   */
  send(chargerId: string, protocol: OcppProtocol, raw: string, connectionId?: string, registration?: string): Promise<string | undefined>;
  /** Sends a CALL and returns the parsed reply frame (`registration` as for `send`). */
  call(chargerId: string, protocol: OcppProtocol, action: string, payload: unknown, registration?: string): Promise<unknown[]>;
  /** Every item of the Csms table (tests only: the product never scans). */
  scanCsms(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

const lambdaContext = (name: string) => ({
  functionName: name,
  awsRequestId: `req-${Math.random().toString(36).slice(2)}`,
  getRemainingTimeInMillis: () => 10_000,
});

export interface ConnectionsEndpointOptions {
  /** Where the connections a handler closes (DELETE, answered 204) are recorded. */
  readonly deletes?: string[];
  /** Where posts (PostToConnection) are recorded, with their bodies. */
  readonly posts?: { connectionId: string; body: string }[];
  /** The status a post to this connection gets: 410 is Gone. @default 410 (no connection exists) */
  readonly postStatus?: (connectionId: string) => 200 | 410 | 500;
}

/**
 * An @connections endpoint that records what a handler asks of it: closes (DELETE, 204) and posts (with the status
 * `postStatus` gives); anything else is answered Gone.
 */
export const connectionsEndpoint = async (opts: ConnectionsEndpointOptions = {}): Promise<Server> => {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const connectionId = decodeURIComponent(/\/@connections\/([^/]+)$/.exec(req.url ?? '')?.[1] ?? '');
      if (req.method === 'DELETE') {
        opts.deletes?.push(connectionId);
        return res.writeHead(204).end();
      }
      if (req.method === 'POST') opts.posts?.push({ connectionId, body: Buffer.concat(chunks).toString('utf8') });
      const status = req.method === 'POST' ? (opts.postStatus?.(connectionId) ?? 410) : 410;
      res.writeHead(status, status === 410 ? { 'x-amzn-errortype': 'GoneException' } : {}).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
};

let sequence = 0;
const HARNESS_API: ApiInfo = { apiId: 'harness', stage: 'test', domainName: '127.0.0.1', region: 'us-east-1', accountId: '000000000000' };

export const startHarness = async (env: Record<string, string> = {}): Promise<Harness> => {
  const tables = await createTestTables();
  const closedConnections: string[] = [];
  const server = await connectionsEndpoint({ deletes: closedConnections });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The handlers read their secrets from the local Secrets Manager, as on AWS they do from Secrets Manager.
  const secretsManager = await serveLocalSecrets({ ...localSecrets(undefined), originVerify: ORIGIN_SECRET, passwordPepper: PASSWORD_PEPPER });
  const secretIds = Object.fromEntries(SECRET_NAMES.map((name) => [SECRETS[name].envVar, secretsManager.ids[name]]));
  Object.assign(process.env, tables.env, secretIds, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
    WS_MANAGEMENT_ENDPOINT: endpoint,
    AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI: endpoint,
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    // Tests date their messages on fixed days of 2026: believe a charger's past up to the longest bound, so they
    // keep their meaning as the calendar moves on (the default bound is proven by its own tests).
    CHARGER_CLOCK_BEHIND_DAYS: '3650',
    ...env,
  });
  const load = async (entry: string) => ((await import(`../../functions/ws/${entry}.ts`)) as { handler: Handler }).handler;
  const handlers = {
    authorize: await load('authorize'),
    connect: await load('connect'),
    disconnect: await load('disconnect'),
    message: await load('message'),
  };
  // With the pepper, read as the $connect functions read it, for the domain operations tests run (createCharger, ...).
  const deps: Deps = { ...makeDeps(process.env, silentLog), ...(await passwordKeys(createSecretReader())) };
  const db = makeDocumentClient(process.env);
  const send: Harness['send'] = async (chargerId, protocol, raw, connectionId = `conn-${chargerId}`, registration) => {
    const authorizer = { chargeBoxId: chargerId, protocol, echoProtocol: 'true', register: 'false', principalId: chargerId, ...(registration ? { registration } : {}) };
    const conn = { connectionId, connectedAt: Date.now(), sourceIp: '127.0.0.1', userAgent: 'handler-harness', authorizer };
    const event = messageEvent(HARNESS_API, conn, raw, false);
    const result = (await handlers.message(event, lambdaContext('OcppMessage'))) as { statusCode: number; body?: string };
    if (result.statusCode !== 200) throw new Error(`$default answered ${result.statusCode}`);
    return result.body;
  };
  return {
    tables,
    deps,
    handlers,
    secretsManager,
    closedConnections,
    send,
    async call(chargerId, protocol, action, payload, registration) {
      const reply = await send(chargerId, protocol, JSON.stringify([2, `m-${++sequence}`, action, payload]), undefined, registration);
      return JSON.parse(reply ?? 'null') as unknown[];
    },
    async scanCsms() {
      const out = await db.send(new ScanCommand({ TableName: tables.names.Csms }));
      return (out.Items ?? []) as Record<string, unknown>[];
    },
    async close() {
      server.close();
      await deleteTestTables(tables);
    },
  };
};

export { lambdaContext };
