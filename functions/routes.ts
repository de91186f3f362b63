/**
 * The one route table. Every Lambda handler of the platform is named here once; the CDK stack (lib/)
 * and the local runtime (bin/local) are both built from this list, so the two hosts cannot drift.
 * Data only: no handler, SDK or CDK imports.
 */
import type { TableName } from '#shared/store/tables.ts';

/** What a handler may touch; the CDK stack turns this into least-privilege grants. */
export interface RouteAccess {
  /** `write` is put/update/delete without reads (e.g. the append-only message log). */
  readonly tables?: Partial<Record<TableName, 'read' | 'write' | 'readWrite'>>;
  /** May call the API Gateway @connections management API (PostToConnection, DeleteConnection). */
  readonly manageConnections?: boolean;
  /** Receives ORIGIN_VERIFY_SECRET, the value CloudFront sends as X-Origin-Verify. */
  readonly originSecret?: boolean;
}

interface RouteBase {
  /** Stable id: the CDK construct id of the function and its name in logs. Renaming it replaces the function. */
  readonly id: string;
  /** Entry file, relative to functions/. It exports `handler`. */
  readonly entry: string;
  readonly access: RouteAccess;
  /** Lambda memory in MB. @default 256 */
  readonly memoryMb?: number;
  /** Lambda timeout in seconds. @default 10 */
  readonly timeoutSeconds?: number;
  /** Validates OCPP payloads: the compiled validators ship beside the bundle (lib/ocpp-validator-files.ts). */
  readonly ocppValidators?: boolean;
}

/** The `$connect` REQUEST authorizer of the WebSocket API (charger Basic auth). */
export interface WsAuthorizerRoute extends RouteBase {
  readonly kind: 'ws-authorizer';
  /** Request parts whose absence makes API Gateway refuse the upgrade before invoking the authorizer. */
  readonly identitySource: readonly string[];
}

export interface WsRoute extends RouteBase {
  readonly kind: 'ws';
  readonly routeKey: '$connect' | '$disconnect' | '$default';
  /** The handler's return body is sent back to the client as the route response. */
  readonly returnResponse?: boolean;
}

/** REST management API route (later issues). */
export interface HttpRoute extends RouteBase {
  readonly kind: 'http';
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
}

/** SQS consumer, fed by an event source mapping (later issues). */
export interface QueueRoute extends RouteBase {
  readonly kind: 'queue';
  readonly queue: string;
  readonly batchSize?: number;
}

/** DynamoDB Streams consumer (later issues). */
export interface StreamRoute extends RouteBase {
  readonly kind: 'stream';
  readonly table: TableName;
}

export type RouteDef = WsAuthorizerRoute | WsRoute | HttpRoute | QueueRoute | StreamRoute;


export const routes = [
  {
    kind: 'ws-authorizer',
    id: 'OcppAuthorizer',
    entry: 'ws/authorize.ts',
    // The CloudFront function moves the charger id to the query string and Basic credentials to
    // X-Ocpp-Authorization; CloudFront adds X-Origin-Verify. Without any of them API Gateway answers 401
    // itself, so anonymous or direct (non-CloudFront) upgrades never invoke the authorizer.
    identitySource: [
      'route.request.querystring.chargeBoxId',
      'route.request.header.X-Ocpp-Authorization',
      'route.request.header.X-Origin-Verify',
    ],
    access: { tables: { Csms: 'read' }, originSecret: true },
  },
  // Closes the connection a new one replaces.
  { kind: 'ws', id: 'OcppConnect', routeKey: '$connect', entry: 'ws/connect.ts', access: { tables: { Csms: 'readWrite' }, manageConnections: true } },
  { kind: 'ws', id: 'OcppDisconnect', routeKey: '$disconnect', entry: 'ws/disconnect.ts', access: { tables: { Csms: 'readWrite' } } },
  {
    kind: 'ws',
    id: 'OcppMessage',
    routeKey: '$default',
    entry: 'ws/message.ts',
    returnResponse: true,
    memoryMb: 512,
    ocppValidators: true,
    // Answers go back as the route response, so no @connections access; frames are appended to the log.
    access: { tables: { Csms: 'readWrite', MessageLog: 'write' } },
  },
] as const satisfies readonly RouteDef[];

export const isWsRoute = (r: RouteDef): r is WsRoute => r.kind === 'ws';
export const isWsAuthorizer = (r: RouteDef): r is WsAuthorizerRoute => r.kind === 'ws-authorizer';
