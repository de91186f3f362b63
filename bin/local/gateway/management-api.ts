/**
 * The `@connections` management API, as `ApiGatewayManagementApiClient` calls it: POST (PostToConnection),
 * GET (GetConnection) and DELETE (DeleteConnection) on `/@connections/{id}`, with or without the stage prefix.
 * Errors carry `x-amzn-errortype`, which the SDK turns into GoneException, PayloadTooLargeException, ...
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_WEBSOCKET_MESSAGE_BYTES } from '#shared/websocket-limits.ts';
import type { LiveConnection } from './connections.ts';

/** API Gateway's limit on a WebSocket message, PostToConnection data included. */
export const MAX_MESSAGE_BYTES = MAX_WEBSOCKET_MESSAGE_BYTES;

export interface ManagementDeps {
  readonly stage: string;
  find(connectionId: string): LiveConnection | undefined;
  /** Told of every management call (the benchmark counts @connections calls per OCPP action). */
  counted?(): void;
}

const json = (res: ServerResponse, status: number, body?: object, errorType?: string) => {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(text ? { 'content-type': 'application/json' } : {}),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
};

const gone = (res: ServerResponse) => json(res, 410, {}, 'GoneException');

const readBody = async (req: IncomingMessage): Promise<Buffer | undefined> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_MESSAGE_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
};

const post = async (req: IncomingMessage, res: ServerResponse, conn: LiveConnection | undefined) => {
  const body = await readBody(req);
  if (body === undefined) return json(res, 413, { message: 'Message too long' }, 'PayloadTooLargeException');
  if (!conn?.isOpen()) return gone(res);
  await conn.send(body.toString('utf8'));
  return json(res, 200);
};

const get = (res: ServerResponse, conn: LiveConnection | undefined) => {
  if (!conn?.isOpen()) return gone(res);
  return json(res, 200, {
    connectedAt: new Date(conn.info.connectedAt).toISOString(),
    lastActiveAt: new Date(conn.lastActiveAt()).toISOString(),
    identity: { sourceIp: conn.info.sourceIp, userAgent: conn.info.userAgent },
  });
};

const remove = (res: ServerResponse, conn: LiveConnection | undefined) => {
  if (!conn?.isOpen()) return gone(res);
  conn.close(1000, '');
  return json(res, 204);
};

/** Handles the request if it is a management call; returns false for any other path. */
export const handleManagementRequest = (deps: ManagementDeps, req: IncomingMessage, res: ServerResponse): boolean => {
  const path = new URL(req.url ?? '/', 'http://local').pathname;
  const m = new RegExp(`^(?:/${deps.stage})?/@connections/([^/]+)$`).exec(path);
  if (!m) return false;
  deps.counted?.();
  const conn = deps.find(decodeURIComponent(m[1]!));
  const handlers: Record<string, () => unknown> = {
    POST: () => post(req, res, conn),
    GET: () => get(res, conn),
    DELETE: () => remove(res, conn),
  };
  const handler = handlers[req.method ?? ''];
  if (!handler) {
    json(res, 403, { message: 'Forbidden' }, 'ForbiddenException');
    return true;
  }
  Promise.resolve(handler()).catch((e: unknown) => {
    if (!res.headersSent) json(res, 500, { message: String(e) }, 'InternalServerErrorException');
  });
  return true;
};
