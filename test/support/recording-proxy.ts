/**
 * An HTTP stand-in between the handlers and DynamoDB Local that notes every request's action, table and partition
 * keys under the route running at the time (`as`), for the IAM tests (test/integration/handlers/iam-actions*.test.ts):
 * DynamoDB Local checks no IAM, so what the handlers really send is compared with what the route table grants. A
 * transaction is noted as the actions IAM checks for it (each Put a PutItem, ...).
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tableGrants, type RouteDef } from '#functions/routes.ts';

export interface Sent {
  readonly route: string;
  readonly action: string;
  readonly table: string;
  readonly partitionKeys: readonly string[];
}

export interface RecordingProxy {
  /** For AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string;
  /** Every request made inside `as`, in order. */
  readonly sent: readonly Sent[];
  /** Runs `work`, noting the requests it makes as `route`'s. */
  as<T>(route: string, work: () => Promise<T>): Promise<T>;
  close(): void;
}

type AttributeMap = Record<string, { S?: string }>;
const pkOf = (key: AttributeMap | undefined) => key?.pk?.S ?? '';

/** IAM has no action for a transaction: it checks each item's own action. */
const TRANSACT_ACTIONS: Readonly<Record<string, string>> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };

/** The action, table and partition keys of each part of one DynamoDB request, by its JSON body. */
const touched = (action: string, body: Record<string, unknown>): { action: string; table: string; partitionKeys: string[] }[] => {
  if (Array.isArray(body.TransactItems)) {
    return (body.TransactItems as Record<string, { TableName: string; Key?: AttributeMap; Item?: AttributeMap }>[]).flatMap((part) =>
      Object.entries(part).map(([op, p]) => ({ action: TRANSACT_ACTIONS[op] ?? op, table: p.TableName, partitionKeys: [pkOf(p.Key ?? p.Item)] })),
    );
  }
  return touchedByOne(body).map((t) => ({ action, ...t }));
};

const touchedByOne = (body: Record<string, unknown>): { table: string; partitionKeys: string[] }[] => {
  if (typeof body.TableName === 'string') {
    const key = (body.Key ?? body.Item) as AttributeMap | undefined;
    const values = body.ExpressionAttributeValues as AttributeMap | undefined;
    return [{ table: body.TableName, partitionKeys: [key ? pkOf(key) : (values?.[':pk']?.S ?? '')] }];
  }
  const items = (body.RequestItems ?? {}) as Record<string, { Keys?: AttributeMap[] } | { PutRequest?: { Item: AttributeMap }; DeleteRequest?: { Key: AttributeMap } }[]>;
  return Object.entries(items).map(([table, request]) => ({
    table,
    partitionKeys: Array.isArray(request) ? request.map((r) => pkOf(r.PutRequest?.Item ?? r.DeleteRequest?.Key)) : (request.Keys ?? []).map(pkOf),
  }));
};

export const startRecordingProxy = async (target: URL): Promise<RecordingProxy> => {
  const sent: Sent[] = [];
  let phase: string | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const action = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      if (phase) for (const t of touched(action, JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>)) sent.push({ route: phase, ...t });
      const upstream = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      });
      upstream.end(raw);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    async as(route, work) {
      phase = route;
      try {
        return await work();
      } finally {
        phase = undefined;
      }
    },
    close: () => server.close(),
  };
};

/** `<table> <action>` for every action a route is granted, tables by their logical names. */
export const grantedActions = (route: RouteDef): string[] =>
  Object.entries(route.access.tables ?? {}).flatMap(([name, grant]) => tableGrants(grant).flatMap((g) => g.actions.map((a) => `${name} ${a}`)));

/** `<table> <action>` for every action `route` sent, once each; `logicalName` maps a physical table name back. */
export const sentActions = (sent: readonly Sent[], route: string, logicalName: (physical: string) => string): string[] =>
  [...new Set(sent.filter((s) => s.route === route).map((s) => `${logicalName(s.table)} ${s.action}`))].sort();
