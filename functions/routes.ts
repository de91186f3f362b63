/**
 * The one route table. Every Lambda handler of the platform is named here once; the CDK stack (lib/)
 * and the local runtime (bin/local) are both built from this list, so the two hosts cannot drift.
 * Data only: no handler, SDK or CDK imports. The kinds, their fields and how each host runs them: docs/routes.md.
 */
import { CHARGER_PK_PREFIX, COMMAND_PK_PREFIX, ENROLMENT_PK_PREFIX, FILE_PK_PREFIX, ID_TOKEN_PK_PREFIX, LOCATION_PK_PREFIX, UPLOAD_TOKEN_PK_PREFIX } from '#shared/store/keys.ts';
import { CHARGER_UPLOADS_PREFIX, FIRMWARE_PREFIX } from '#shared/file/object-keys.ts';
import type { TableName } from '#shared/store/tables.ts';
import { chargerRoutes } from './api/chargers/routes.ts';
import { locationRoutes } from './api/locations/routes.ts';
import type { ZodType } from 'zod';
import { idTokenRoutes } from './api/id-tokens/routes.ts';
import { transactionRoutes } from './api/transactions/routes.ts';
import type { SecretName, SettingsName } from './_common/env.ts';
import { metaRoutes } from './api/meta/routes.ts';
import { commandRoutes } from './api/commands/routes.ts';
import { userRoutes } from './api/users/routes.ts';
import { reportedStateRoutes } from './api/chargers/reported-state-routes.ts';
import { commandEffectRoutes } from './api/command-effects/routes.ts';
import { localListRoutes } from './api/local-list/routes.ts';
import { reservationRoutes } from './api/reservations/routes.ts';
import { fileRoutes } from './api/files/routes.ts';
import { uploadRoutes } from './upload/routes.ts';
import { firmwareRoutes } from './api/firmware/routes.ts';
import { operatorLiveRoutes } from './ws/operators/routes.ts';

/** The API Gateway WebSocket APIs: chargers speak OCPP-J on one; operators get live events on the other. */
export type WebSocketApiName = 'chargers' | 'operators';
/**
 * The DynamoDB calls a route may make, by their IAM action names (`dynamodb:<action>`). Scan is not among them:
 * the product reads by key or key condition only.
 */
export type DynamoAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';
/**
 * Exactly the calls a route makes on one table: the CDK stack grants these actions and no others. A missing
 * action is an outage on AWS (the local runtime does not check IAM), so list what the store modules the
 * route reaches actually send (test/integration/handlers/iam-actions.test.ts records it).
 */
export interface TableAccess {
  readonly actions: readonly DynamoAction[];
  /**
   * Only items whose partition key starts with one of these (IAM `dynamodb:LeadingKeys`). @default any item
   */
  readonly partitionKeyPrefixes?: readonly string[];
}
/** A route's grants on one table, as a list: one grant, or several for different partitions. */
export const tableGrants = (grant: TableAccess | readonly TableAccess[]): readonly TableAccess[] => ('actions' in grant ? [grant] : grant);
export type QueueAccess = 'send' | 'consume';
/** The @connections API's calls (API Gateway Management API). */
export type ConnectionsCall = 'PostToConnection' | 'DeleteConnection' | 'GetConnection';
/** `delete`: exactly `s3:DeleteObject` on the bucket's objects (a delete marker in a versioned bucket). */
export type BucketAccess = 'read' | 'write' | 'readWrite' | 'delete';
/**
 * Access to the objects under one key prefix only: exactly `s3:GetObject` (read) and / or `s3:PutObject` (write) on
 * `<bucket>/<prefix>*`, and no bucket-level action. Enough to presign GETs or PUTs of those objects, and no more: a
 * presigned URL can do only what the role that signed it may.
 */
export interface BucketPrefixAccess {
  readonly access: BucketAccess;
  /** A key prefix of shared/file/object-keys.ts, e.g. `firmware/`, or several (each granted alike). */
  readonly prefix: string | readonly string[];
}
/**
 * The Cognito user pool calls a route may make on the operators' pool, by their IAM action names
 * (`cognito-idp:<action>`): user administration only, never a sign-in on someone's behalf.
 */
export type CognitoAction =
  | 'AdminCreateUser'
  | 'AdminSetUserPassword'
  | 'AdminAddUserToGroup'
  | 'AdminRemoveUserFromGroup'
  | 'AdminListGroupsForUser'
  | 'AdminGetUser'
  | 'AdminDeleteUser'
  | 'ListUsers'
  | 'ListUsersInGroup';
/** Operator roles (BRIEF §3: admin / operator / viewer); a `jwt` route names those allowed to call it. */
export type OperatorRole = 'admin' | 'operator' | 'viewer';

/**
 * What a handler may touch. Both hosts turn it into the function's environment (only these variables) and the
 * CDK stack into least-privilege grants. A `queue` route's own queue and a `stream` route's stream are granted
 * by their event source mapping and need no entry here.
 */
export interface RouteAccess {
  /**
   * The DynamoDB actions per table (e.g. only PutItem/BatchWriteItem on the append-only message log). Adds each table's
   * `envVar`. A list gives different actions to different partitions (one statement each).
   */
  readonly tables?: Partial<Record<TableName, TableAccess | readonly TableAccess[]>>;
  /** Queues of shared/store/queues.ts by name. Adds each queue's `envVar` (its URL). */
  readonly queues?: Readonly<Record<string, QueueAccess>>;
  /**
   * Buckets of shared/store/buckets.ts by name: the whole bucket, one prefix, or several prefixes with an access each
   * (e.g. write under one, read under another). Adds each bucket's `envVar` (its name).
   */
  readonly buckets?: Readonly<Record<string, BucketAccess | BucketPrefixAccess | readonly BucketPrefixAccess[]>>;
  /**
   * The @connections calls the route makes on this WebSocket API's stage; each is granted as its own HTTP method
   * (POST for PostToConnection, DELETE for DeleteConnection, GET for GetConnection). Adds WS_MANAGEMENT_ENDPOINT.
   */
  readonly manageConnections?: { readonly api: WebSocketApiName; readonly calls: readonly ConnectionsCall[] };
  /**
   * Secrets the handler reads from Secrets Manager (functions/_common/secrets.ts): the function's environment holds
   * each secret's id (`SECRET_ENV_VARS`), never its value; it may read the AWSCURRENT and AWSPREVIOUS versions.
   */
  readonly secrets?: readonly SecretName[];
  /** Settings groups the handler reads (functions/_common/env.ts `SETTINGS_SCHEMAS`), e.g. `['chargers']`. */
  readonly settings?: readonly SettingsName[];
  /**
   * The calls the handler makes on the operators' Cognito user pool (the `users` routes). Adds USER_POOL_ID; the CDK
   * stack grants exactly `cognito-idp:<action>` on that pool.
   */
  readonly userPool?: readonly CognitoAction[];
  /**
   * The public file endpoints chargers are sent to (`FILE_ENDPOINT_VARS` in functions/_common/env.ts): the HTTPS upload
   * endpoint's base URL (the `uploads` function URL) and the SFTP server's `sftp://host[:port]`, each empty where the
   * stage has none. No grant: they are addresses, not resources.
   */
  readonly fileEndpoints?: boolean;
  /**
   * Verifies operators' access tokens itself (the operators' WebSocket `$connect` authorizer): adds
   * OPERATOR_TOKEN_ISSUER, the user pool's issuer. No grant: the pool's signing keys are public.
   */
  readonly operatorTokens?: boolean;
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
  /**
   * Reserved concurrency: at most this many instances run at once, and they are kept apart from the account's
   * shared pool. Caps a function that outsiders can make busy (the `$connect` authorizer) so it cannot starve the
   * others. The stage config may resize it per route id (lib/stage-config.ts). @default unreserved
   */
  readonly reservedConcurrency?: number;
  /** Validates OCPP payloads: the compiled validators ship beside the bundle (lib/ocpp-validator-files.ts). */
  readonly ocppValidators?: boolean;
}

/** The `$connect` REQUEST authorizer of a WebSocket API (for chargers: Basic auth). */
export interface WsAuthorizerRoute extends RouteBase {
  readonly kind: 'ws-authorizer';
  readonly api: WebSocketApiName;
  /** Request parts whose absence makes API Gateway refuse the upgrade before invoking the authorizer. */
  readonly identitySource: readonly string[];
}

export interface WsRoute extends RouteBase {
  readonly kind: 'ws';
  readonly api: WebSocketApiName;
  readonly routeKey: '$connect' | '$disconnect' | '$default';
  /** The handler's return body is sent back to the client as the route response. */
  readonly returnResponse?: boolean;
}

/** Who may call an `http` route. `none` must be explicit; a method that writes needs a `reason` for it. */
export type HttpAuth =
  | { readonly type: 'jwt'; readonly roles: readonly OperatorRole[] }
  | { readonly type: 'none'; readonly reason?: string };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A REST API (API Gateway v1) method with a Lambda proxy integration. */
export interface HttpRoute extends RouteBase {
  readonly kind: 'http';
  readonly method: HttpMethod;
  /** Resource path; `{name}` is a path parameter (one segment), e.g. `/chargers/{chargerId}`. */
  readonly path: string;
  readonly auth: HttpAuth;
  /** One line for the OpenAPI document. */
  readonly summary?: string;
  /**
   * The JSON body, checked before the handler runs (API Gateway's model on AWS, the same schema locally: 400 and the
   * handler never runs), then parsed by the handler with the same zod schema. Also the OpenAPI request body.
   */
  readonly body?: ZodType;
  /** Query string parameters (single values), parsed by the handler adapter; 400 names the parameter. */
  readonly query?: ZodType;
  /** The resource's representation (a list route: of each item). OpenAPI, and the allow-list of `fields=`. */
  readonly response?: ZodType;
  /** Answers a page `{ items, cursor? }` of `response`; accepts `limit`, `cursor` and `fields`. */
  readonly list?: boolean;
  /** Requires `If-Match` with the resource's current ETag (428 without, 412 when it changed). */
  readonly ifMatch?: boolean;
  /** Accepts `Idempotency-Key`: a retry with the same key (and body) answers the first result again. */
  readonly idempotent?: boolean;
  /**
   * Answers 202 Accepted: the work it starts goes on after the answer (its `Location` is where to follow it).
   * `when-deferred`: 202 when the work goes on, 200 when it was done at once.
   */
  readonly accepted?: boolean | 'when-deferred';
}

/** An SQS consumer, fed by an event source mapping. Redrive (DLQ, max receives) is the queue's, in the registry. */
export interface QueueRoute extends RouteBase {
  readonly kind: 'queue';
  /** A queue of shared/store/queues.ts. */
  readonly queue: string;
  /** Messages per invocation, 1–10. @default 10 */
  readonly batchSize?: number;
  /**
   * The handler returns `{ batchItemFailures: [{ itemIdentifier: messageId }] }`: only those messages are received
   * again; the rest are deleted. Otherwise a thrown error returns the whole batch.
   */
  readonly reportBatchItemFailures: boolean;
}

/** A DynamoDB Streams consumer, fed by an event source mapping that only delivers items of the listed `type`s. */
export interface StreamRoute extends RouteBase {
  readonly kind: 'stream';
  /** A table of shared/store/tables.ts with `stream: true`. */
  readonly table: TableName;
  /** Item `type` attributes (new image) delivered; other records are skipped, never delivered. */
  readonly types: readonly string[];
  /**
   * String attributes the new image must also have to be delivered (filtered as `types` is: other records never invoke
   * the function). For a type whose items change often and concern the route only rarely.
   */
  readonly withAttributes?: readonly string[];
  /** Records per invocation, 1–1000. @default 100 */
  readonly batchSize?: number;
  /** Retries of a failed batch before it goes to `onFailure`. @default 2 */
  readonly retryAttempts?: number;
  /** A standard queue of shared/store/queues.ts that receives the description of a batch that kept failing. */
  readonly onFailure: string;
}

/** Runs on a schedule (EventBridge rule). Expressions are EventBridge's, in UTC. */
export interface ScheduleRoute extends RouteBase {
  readonly kind: 'schedule';
  /** `rate(5 minutes)` or `cron(0 3 * * ? *)`. */
  readonly schedule: string;
}

/** The HTTPS endpoints of their own a `function-url` route may serve; each host has one address per name. */
export type FunctionUrlName = 'uploads';

/**
 * An HTTPS endpoint of its own, outside the REST API: a Lambda function URL on AWS (auth NONE: the handler decides who
 * may call; raw bodies of any content type reach it, base64-encoded, with no API Gateway binary-media-type setting),
 * a port of its own under `npm start`. The handler gets Lambda's function URL event (payload 2.0).
 */
export interface FunctionUrlRoute extends RouteBase {
  readonly kind: 'function-url';
  /** Which endpoint: one route per name. */
  readonly name: FunctionUrlName;
  /** Why no gateway checks the caller (the handler must): required, and shown to cdk-nag readers and in docs. */
  readonly reason: string;
}

/**
 * The identity provider of the SFTP server chargers upload to: AWS Transfer Family's custom Lambda identity provider,
 * and locally the ssh2 stand-in (bin/local/hosts/sftp.ts), which hands it the same event. It answers a login with the
 * session's role, home folder and session policy, or with nothing (denied). Sessions write into `bucket`; the
 * function itself never touches it: it gets the bucket's name and the session role's ARN, no S3 grant.
 */
export interface SftpIdentityRoute extends RouteBase {
  readonly kind: 'sftp-identity';
  /** A bucket of shared/store/buckets.ts: where sessions write (their home folder is in it). */
  readonly bucket: string;
}

/**
 * Objects created in a bucket (S3 event notifications, `s3:ObjectCreated:*`) under one of the route's key prefixes.
 * S3 invokes the function asynchronously with an S3 event (Records[].s3.bucket.name, s3.object.key URL-encoded,
 * size, eTag); a thrown error makes Lambda invoke it again (twice, minutes apart), so the handler is idempotent.
 */
export interface BucketRoute extends RouteBase {
  readonly kind: 'bucket';
  /** A bucket of shared/store/buckets.ts. */
  readonly bucket: string;
  /** Key prefixes whose new objects are delivered (at least one; none a prefix of another route's on the bucket). */
  readonly prefixes: readonly string[];
}

export type RouteDef =
  | WsAuthorizerRoute
  | WsRoute
  | HttpRoute
  | QueueRoute
  | StreamRoute
  | ScheduleRoute
  | FunctionUrlRoute
  | SftpIdentityRoute
  | BucketRoute;
export type RouteKind = RouteDef['kind'];

export const routes = [
  {
    kind: 'ws-authorizer',
    api: 'chargers',
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
    // A chosen password's check is CPU-bound (scrypt; a generated one's is one HMAC): one full vCPU (1769 MB) holds
    // a reserved slot the shortest time for the same GB-seconds (README, "Sizing the authorizer"). The cap keeps a
    // $connect flood from taking the concurrency $default needs.
    memoryMb: 1769,
    reservedConcurrency: 20,
    // Reads AUTO_REGISTER and AUTO_REGISTER_ALLOW (who may register itself); the pepper checks generated passwords
    // and finds enrolment codes. One consistent BatchGetItem of the charger's profile and credentials items, and,
    // for an unknown id with auto-registration on, one GetItem of an enrolment code: only in those partitions.
    access: {
      tables: { Csms: { actions: ['BatchGetItem', 'GetItem'], partitionKeyPrefixes: [CHARGER_PK_PREFIX, ENROLMENT_PK_PREFIX] } },
      secrets: ['originVerify', 'passwordPepper'],
      settings: ['chargers'],
    },
  },
  // Closes the connection a new one replaces. Auto-registers (the pending cap and expiry are charger settings; an
  // enrolment code becomes the first password, MACed with the pepper).
  {
    kind: 'ws',
    api: 'chargers',
    id: 'OcppConnect',
    routeKey: '$connect',
    entry: 'ws/connect.ts',
    // Auto-registration counts the pending (Query on gsi1), uses an enrolment code up (UpdateItem) and creates the
    // profile and credentials (a transaction of two PutItems); attach updates presence (UpdateItem). A charger the
    // authorizer admitted by its next password has that one made its only one (UpdateItem).
    access: {
      tables: { Csms: { actions: ['Query', 'PutItem', 'UpdateItem'] } },
      manageConnections: { api: 'chargers', calls: ['DeleteConnection'] },
      secrets: ['passwordPepper'],
      settings: ['chargers'],
    },
  },
  // Detach is one conditional UpdateItem of the presence item; a CALL of ours in flight on the connection is freed
  // (DeleteItem of the slot) and its command failed (UpdateItem).
  { kind: 'ws', api: 'chargers', id: 'OcppDisconnect', routeKey: '$disconnect', entry: 'ws/disconnect.ts', access: { tables: { Csms: { actions: ['UpdateItem', 'DeleteItem'] } } } },
  {
    kind: 'ws',
    api: 'chargers',
    id: 'OcppMessage',
    routeKey: '$default',
    entry: 'ws/message.ts',
    returnResponse: true,
    memoryMb: 512,
    ocppValidators: true,
    // Answers go back as the route response, so no @connections access; frames are appended to the log.
    // Reads HEARTBEAT_INTERVAL_SECONDS, MESSAGE_LOG_RETENTION_DAYS and the CHARGER_CLOCK_* bounds.
    // The message log is append-only: puts, never updates or deletes. A reply to a command of ours ends it and
    // frees the charger's slot (a TransactWriteItems of an Update and a Delete). Effects of answered commands
    // (shared/command/effects.ts) read the command (GetItem) and keep: settings and composite schedules (conditional
    // PutItems), reservations (UpdateItem), a local list (Query of its entries for a Full update, BatchWriteItem puts
    // and deletes, UpdateItem of its version), remote starts (PutItem; 1.6 StartTransaction's DeleteItem of the
    // pending one it links), links on transactions (UpdateItem), a charger's next password (UpdateItem) and a
    // firmware update's answer (UpdateItem). Firmware status notifications update the update they name (UpdateItem;
    // 1.6 FirmwareStatusNotification: a Query of gsi1 for the newest first). Diagnostics and log status notifications
    // update the file of the request they name (UpdateItem; 1.6 DiagnosticsStatusNotification: a Query of gsi2 for
    // the newest diagnostics file first); a refusing GetLog / GetDiagnostics answer fails its file (UpdateItem). A
    // pending charger's message other than BootNotification reads its newest commands (a Query of gsi1) for the
    // TriggerMessage or report request that let it through.
    access: {
      tables: {
        Csms: { actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'] },
        MessageLog: { actions: ['PutItem', 'BatchWriteItem'] },
      },
      settings: ['chargers', 'history'],
    },
  },
  {
    // Presence whose $disconnect was lost (shared/charger/presence.ts reconcilePresence): stale for at most
    // 25 minutes (15 of silence, then the next run).
    kind: 'schedule',
    id: 'ReconcilePresence',
    schedule: 'rate(10 minutes)',
    entry: 'schedule/reconcile-presence.ts',
    timeoutSeconds: 120,
    access: { tables: { Csms: { actions: ['Query', 'UpdateItem'] }, MessageLog: { actions: ['Query'] } } },
  },
  {
    // The ConnectedChargers gauge (shared/charger/presence.ts sampleConnectedChargers): a COUNT Query of each shard of
    // the live-connection index, every minute, so the dashboard shows and an alarm watches connected chargers.
    kind: 'schedule',
    id: 'SampleConnectedChargers',
    schedule: 'rate(1 minute)',
    entry: 'schedule/sample-connected-chargers.ts',
    timeoutSeconds: 30,
    access: { tables: { Csms: { actions: ['Query'] } } },
  },
  {
    // Sends each queued command to its charger, one at a time per charger (shared/command/dispatch.ts): reads the
    // command, the presence and a busy slot (GetItem), takes the slot (a transaction of a Put and Updates), frees it
    // if the post fails (a Delete), logs the CALL, arms its timeout and hides a waiting message (its own queue's URL).
    // A command held for an offline charger: a transaction of the marker's Put and Updates of the command and presence.
    kind: 'queue',
    id: 'DispatchCommands',
    queue: 'Commands',
    batchSize: 10,
    reportBatchItemFailures: true,
    timeoutSeconds: 30,
    access: {
      tables: { Csms: { actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'] }, MessageLog: { actions: ['PutItem'] } },
      queues: { Commands: 'consume', CommandTimeouts: 'send' },
      manageConnections: { api: 'chargers', calls: ['PostToConnection'] },
      settings: ['chargers'],
    },
    entry: 'queue/dispatch-commands.ts',
  },
  {
    // A sent command's deadline: reads the slot, ends the command and frees the slot when its CALL is still in flight.
    kind: 'queue',
    id: 'ExpireCommands',
    queue: 'CommandTimeouts',
    batchSize: 10,
    reportBatchItemFailures: true,
    access: { tables: { Csms: { actions: ['GetItem', 'UpdateItem', 'DeleteItem'] } } },
    entry: 'queue/expire-commands.ts',
  },
  {
    // An accepted boot releases the charger's held commands: one Query of its partition (HELD#), a SendMessage and a
    // DeleteItem per held command, and when there were any an UpdateItem removing the mark on its presence.
    kind: 'stream',
    id: 'ReleaseHeldCommands',
    table: 'Csms',
    types: ['Charger'],
    batchSize: 100,
    onFailure: 'ChangeFeedFailures',
    entry: 'stream/release-held-commands.ts',
    access: { tables: { Csms: { actions: ['Query', 'DeleteItem', 'UpdateItem'], partitionKeyPrefixes: [CHARGER_PK_PREFIX] } }, queues: { Commands: 'send' } },
  },
  {
    // A charger with held commands connected again without booting (the mark on its presence, set when a command was
    // held): the same release as after a boot, then the mark is removed. Presence changes without the mark (every
    // connect and disconnect) never invoke it.
    kind: 'stream',
    id: 'ReleaseHeldCommandsOnConnect',
    table: 'Csms',
    types: ['Presence'],
    withAttributes: ['heldCommandsAt'],
    batchSize: 100,
    onFailure: 'ChangeFeedFailures',
    entry: 'stream/release-held-commands.ts',
    access: { tables: { Csms: { actions: ['Query', 'DeleteItem', 'UpdateItem'], partitionKeyPrefixes: [CHARGER_PK_PREFIX] } }, queues: { Commands: 'send' } },
  },
  {
    // A GetLocalListVersion answer telling another version than our last accepted list: a Full SendLocalList at once
    // (the sync's reads and claim: BatchGetItem, Query, GetItem, UpdateItem; a PutItem and a SendMessage per message).
    kind: 'stream',
    id: 'SyncLocalListOnMismatch',
    table: 'Csms',
    types: ['LocalListVersion'],
    batchSize: 100,
    onFailure: 'ChangeFeedFailures',
    entry: 'stream/sync-local-list.ts',
    // Checks the OCPP payload it sends: the validators ship beside the bundle (not 1.2 MB inside it).
    ocppValidators: true,
    access: {
      tables: {
        Csms: {
          actions: ['BatchGetItem', 'GetItem', 'Query', 'PutItem', 'UpdateItem'],
          partitionKeyPrefixes: [CHARGER_PK_PREFIX, LOCATION_PK_PREFIX, ID_TOKEN_PK_PREFIX, COMMAND_PK_PREFIX],
        },
      },
      queues: { Commands: 'send' },
    },
  },
  ...metaRoutes,
  ...commandRoutes,
  ...idTokenRoutes,
  ...transactionRoutes,
  ...chargerRoutes,
  ...locationRoutes,
  ...userRoutes,
  ...reportedStateRoutes,
  ...commandEffectRoutes,
  ...localListRoutes,
  {
    // Closes reservations past their expiry (shared/reservation/reservation-ends.ts): a Query of gsi4
    // `RESERVATIONS#OPEN` per page, an UpdateItem per reservation and one of its charger's EVSE holds.
    kind: 'schedule',
    id: 'ExpireReservations',
    schedule: 'rate(1 minute)',
    entry: 'schedule/expire-reservations.ts',
    timeoutSeconds: 60,
    access: { tables: { Csms: { actions: ['Query', 'UpdateItem'] } } },
  },
  ...reservationRoutes,
  ...fileRoutes,
  ...uploadRoutes,
  {
    // Chargers' SFTP logins (user name: the charger id; password: an upload token): redeems the token (one
    // conditional UpdateItem of its UPLOAD# item) and holds the session to that file's folder of the Files bucket.
    kind: 'sftp-identity',
    id: 'SftpIdentityProvider',
    bucket: 'Files',
    entry: 'sftp/identity-provider.ts',
    access: { tables: { Csms: { actions: ['UpdateItem'], partitionKeyPrefixes: [UPLOAD_TOKEN_PK_PREFIX] } } },
  },
  ...firmwareRoutes,
  ...operatorLiveRoutes,
  {
    // Records objects landing in the files bucket by any way in (SFTP sessions, presigned firmware PUTs; the upload
    // endpoint records its own first): GetItem of the file, HeadObject (a full read when S3 holds no checksum),
    // UpdateItem. shared/file/recording.ts.
    kind: 'bucket',
    id: 'RecordLandedFiles',
    bucket: 'Files',
    prefixes: [CHARGER_UPLOADS_PREFIX, FIRMWARE_PREFIX],
    entry: 'bucket/record-landed-files.ts',
    // Reading an SFTP upload S3 holds no checksum of, to hash it, takes a while for a large file.
    timeoutSeconds: 120,
    access: {
      tables: { Csms: { actions: ['GetItem', 'UpdateItem'], partitionKeyPrefixes: [FILE_PK_PREFIX] } },
      buckets: { Files: { access: 'read', prefix: [CHARGER_UPLOADS_PREFIX, FIRMWARE_PREFIX] } },
    },
  },
] as const satisfies readonly RouteDef[];

export const isWsRoute = (r: RouteDef): r is WsRoute => r.kind === 'ws';
export const isWsAuthorizer = (r: RouteDef): r is WsAuthorizerRoute => r.kind === 'ws-authorizer';
export const isHttpRoute = (r: RouteDef): r is HttpRoute => r.kind === 'http';
export const isQueueRoute = (r: RouteDef): r is QueueRoute => r.kind === 'queue';
export const isStreamRoute = (r: RouteDef): r is StreamRoute => r.kind === 'stream';
export const isScheduleRoute = (r: RouteDef): r is ScheduleRoute => r.kind === 'schedule';
export const isFunctionUrlRoute = (r: RouteDef): r is FunctionUrlRoute => r.kind === 'function-url';
export const isSftpIdentityRoute = (r: RouteDef): r is SftpIdentityRoute => r.kind === 'sftp-identity';
export const isBucketRoute = (r: RouteDef): r is BucketRoute => r.kind === 'bucket';
