/**
 * The charger resources of the REST API (issue 9). Data only: the route table spreads `chargerRoutes`. Reads for
 * every role, writes for admins and operators; a charger's credentials (rotation, a chosen password) for admins.
 * Each route names exactly the DynamoDB calls its store operations send; a TransactWriteItems is granted as the
 * actions of its items (Put, Update, Delete).
 */
import * as z from 'zod';
import {
  ChargerDetailSchema,
  ChargerReportSchema,
  ChargerSchema,
  ChargerWithPasswordSchema,
  ConnectorsQuerySchema,
  ConnectorsSchema,
  CreateChargerSchema,
  DeleteChargerQuerySchema,
  LoggedFrameSchema,
  PatchChargerSchema,
  RegistrationSchema,
  ReportQuerySchema,
  StatusHistoryQuerySchema,
  StatusReportSchema,
  TimelineEntrySchema,
  TimeRangeQuerySchema,
} from '#shared/charger/charger-schema.ts';
import { ChangePasswordQuery, PasswordChangeSchema } from '#shared/command/command-schema.ts';
import {
  CHARGER_PK_PREFIX,
  COMMAND_PK_PREFIX,
  IDEMPOTENCY_PK_PREFIX,
  LOCATION_PK_PREFIX,
  REPORT_PK_PREFIX,
  STATUS_PK_PREFIX,
  TIMELINE_PK_PREFIX,
} from '#shared/store/keys.ts';
import type { HttpRoute } from '../../routes.ts';

const READERS = { type: 'jwt', roles: ['admin', 'operator', 'viewer'] } as const;
const WRITERS = { type: 'jwt', roles: ['admin', 'operator'] } as const;
const ADMINS = { type: 'jwt', roles: ['admin'] } as const;
/** Closing a charger's live connection (its registration or credentials changed, or it was deleted). */
const CLOSES_CONNECTIONS = { api: 'chargers', calls: ['DeleteConnection'] } as const;

export const listChargersRoute = {
  kind: 'http',
  id: 'ListChargers',
  method: 'GET',
  path: '/chargers',
  auth: READERS,
  summary: 'List chargers by id, or those of one location',
  // No registrationStatus filter: no index is keyed by it, and filtering a page after the query is not a list.
  query: z.strictObject({ locationId: z.string().min(1).max(64).optional() }),
  list: true,
  response: ChargerSchema,
  entry: 'api/chargers/list-chargers.ts',
  // One Query: gsi2 `CHARGERS`, or gsi1 `LOCATION#<id>`.
  access: { tables: { Csms: { actions: ['Query'] } } },
} as const satisfies HttpRoute;

export const createChargerRoute = {
  kind: 'http',
  id: 'CreateCharger',
  method: 'POST',
  path: '/chargers',
  auth: WRITERS,
  summary: 'Register a charger; a generated password is answered once (a chosen one: admin only)',
  body: CreateChargerSchema,
  response: ChargerWithPasswordSchema,
  idempotent: true,
  entry: 'api/chargers/create-charger.ts',
  // TransactWriteItems: PutItem profile and credentials, UpdateItem the location's count; the idempotency record.
  access: {
    tables: { Csms: { actions: ['PutItem', 'UpdateItem'], partitionKeyPrefixes: [CHARGER_PK_PREFIX, LOCATION_PK_PREFIX, IDEMPOTENCY_PK_PREFIX] } },
    secrets: ['passwordPepper'],
  },
} as const satisfies HttpRoute;

export const importChargersRoute = {
  kind: 'http',
  id: 'ImportChargers',
  method: 'POST',
  path: '/chargers:import',
  auth: WRITERS,
  summary: 'Register many chargers (CSV or JSON list), reporting per row; safe to run again',
  entry: 'api/chargers/import-chargers.ts',
  // Chosen passwords are hashed with scrypt: one full vCPU, and up to API Gateway's 29 s.
  memoryMb: 1769,
  timeoutSeconds: 28,
  access: { tables: { Csms: { actions: ['PutItem', 'UpdateItem'], partitionKeyPrefixes: [CHARGER_PK_PREFIX, LOCATION_PK_PREFIX] } }, secrets: ['passwordPepper'] },
} as const satisfies HttpRoute;

export const getChargerRoute = {
  kind: 'http',
  id: 'GetCharger',
  method: 'GET',
  path: '/chargers/{chargerId}',
  auth: READERS,
  summary: 'A charger: its profile and whether it is connected',
  response: ChargerDetailSchema,
  entry: 'api/chargers/get-charger.ts',
  // BatchGetItem profile + presence ∥ Query the message log's newest frames; GetItem presence when asked in another case.
  access: { tables: { Csms: { actions: ['BatchGetItem', 'GetItem'], partitionKeyPrefixes: [CHARGER_PK_PREFIX] }, MessageLog: { actions: ['Query'] } } },
} as const satisfies HttpRoute;

export const patchChargerRoute = {
  kind: 'http',
  id: 'PatchCharger',
  method: 'PATCH',
  path: '/chargers/{chargerId}',
  auth: WRITERS,
  summary: "Change what an operator owns of a charger (JSON merge patch; If-Match)",
  body: PatchChargerSchema,
  response: ChargerDetailSchema,
  ifMatch: true,
  entry: 'api/chargers/patch-charger.ts',
  // The read of GET; GetItem of the location it leaves; UpdateItem (profile, location counts, in one transaction on a move).
  access: {
    tables: {
      Csms: { actions: ['BatchGetItem', 'GetItem', 'UpdateItem'], partitionKeyPrefixes: [CHARGER_PK_PREFIX, LOCATION_PK_PREFIX] },
      MessageLog: { actions: ['Query'] },
    },
  },
} as const satisfies HttpRoute;

export const deleteChargerRoute = {
  kind: 'http',
  id: 'DeleteCharger',
  method: 'DELETE',
  path: '/chargers/{chargerId}',
  auth: WRITERS,
  summary: 'Delete a charger, keeping (default) or purging its history (If-Match)',
  query: DeleteChargerQuerySchema,
  ifMatch: true,
  entry: 'api/chargers/delete-charger.ts',
  timeoutSeconds: 28,
  // The read of GET; purge: Query + BatchWriteItem (deletes) of status history, timeline and message log; then a
  // transaction of DeleteItem profile + credentials and UpdateItem the location's count; Query + BatchWriteItem of
  // presence and connectors.
  access: {
    tables: {
      Csms: { actions: ['BatchGetItem', 'GetItem', 'Query', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'], partitionKeyPrefixes: [CHARGER_PK_PREFIX, LOCATION_PK_PREFIX, STATUS_PK_PREFIX, TIMELINE_PK_PREFIX] },
      MessageLog: { actions: ['Query', 'BatchWriteItem'] },
    },
    manageConnections: CLOSES_CONNECTIONS,
  },
} as const satisfies HttpRoute;

export const rotateChargerPasswordRoute = {
  kind: 'http',
  id: 'RotateChargerPassword',
  method: 'POST',
  path: '/chargers/{chargerId}/password',
  auth: ADMINS,
  summary:
    "A new generated password (answered once): 202 when it goes to the charger by command (the old one works until the charger uses the new one); 200 when it replaces the old one at once (`revoke=true`, or a charger that never connected), closing the live connection",
  query: ChangePasswordQuery,
  response: PasswordChangeSchema,
  accepted: 'when-deferred',
  entry: 'api/chargers/rotate-charger-password.ts',
  // Checks the OCPP payload it sends: the validators ship beside the bundle (not 1.2 MB inside it).
  ocppValidators: true,
  // By command: one BatchGetItem of the profile and presence, a conditional PutItem of the command, one SendMessage.
  // Replaced: GetItem profile and presence; a transaction of UpdateItem profile + PutItem credentials.
  access: {
    tables: { Csms: { actions: ['BatchGetItem', 'GetItem', 'UpdateItem', 'PutItem'], partitionKeyPrefixes: [CHARGER_PK_PREFIX, COMMAND_PK_PREFIX] } },
    queues: { Commands: 'send' },
    secrets: ['passwordPepper'],
    manageConnections: CLOSES_CONNECTIONS,
  },
} as const satisfies HttpRoute;

export const setChargerRegistrationRoute = {
  kind: 'http',
  id: 'SetChargerRegistration',
  method: 'POST',
  path: '/chargers/{chargerId}/registration',
  auth: WRITERS,
  summary: 'Accept, reject or set pending; accepting replaces the password (admin only: it is answered once)',
  body: RegistrationSchema,
  response: ChargerWithPasswordSchema,
  entry: 'api/chargers/set-charger-registration.ts',
  access: {
    tables: { Csms: { actions: ['GetItem', 'UpdateItem', 'PutItem'], partitionKeyPrefixes: [CHARGER_PK_PREFIX] } },
    secrets: ['passwordPepper'],
    manageConnections: CLOSES_CONNECTIONS,
  },
} as const satisfies HttpRoute;

export const getChargerConnectorsRoute = {
  kind: 'http',
  id: 'GetChargerConnectors',
  method: 'GET',
  path: '/chargers/{chargerId}/connectors',
  auth: READERS,
  summary: "A charger's connectors (EVSEs): live status and the transaction holding each (`limit` 1–500, default 500; `cursor` for the next page)",
  query: ConnectorsQuerySchema,
  response: ConnectorsSchema,
  entry: 'api/chargers/get-charger-connectors.ts',
  access: { tables: { Csms: { actions: ['GetItem', 'Query'], partitionKeyPrefixes: [CHARGER_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const listChargerStatusHistoryRoute = {
  kind: 'http',
  id: 'ListChargerStatusHistory',
  method: 'GET',
  path: '/chargers/{chargerId}/status-history',
  auth: READERS,
  summary: "One connector's status reports, newest first (history is kept per connector)",
  query: StatusHistoryQuerySchema,
  list: true,
  response: StatusReportSchema,
  entry: 'api/chargers/list-charger-status-history.ts',
  access: { tables: { Csms: { actions: ['GetItem', 'Query'], partitionKeyPrefixes: [CHARGER_PK_PREFIX, STATUS_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const listChargerTimelineRoute = {
  kind: 'http',
  id: 'ListChargerTimeline',
  method: 'GET',
  path: '/chargers/{chargerId}/timeline',
  auth: READERS,
  summary: 'Firmware / diagnostics / log / publish-firmware status, security events, NotifyEvent, DataTransfer, reservation status; newest first',
  query: TimeRangeQuerySchema,
  list: true,
  response: TimelineEntrySchema,
  entry: 'api/chargers/list-charger-timeline.ts',
  access: { tables: { Csms: { actions: ['GetItem', 'Query'], partitionKeyPrefixes: [CHARGER_PK_PREFIX, TIMELINE_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const listChargerMessagesRoute = {
  kind: 'http',
  id: 'ListChargerMessages',
  method: 'GET',
  path: '/chargers/{chargerId}/messages',
  auth: READERS,
  summary: 'The OCPP message log, newest first; secrets are masked',
  query: TimeRangeQuerySchema,
  list: true,
  response: LoggedFrameSchema,
  entry: 'api/chargers/list-charger-messages.ts',
  access: { tables: { Csms: { actions: ['GetItem'], partitionKeyPrefixes: [CHARGER_PK_PREFIX] }, MessageLog: { actions: ['Query'] } } },
} as const satisfies HttpRoute;

export const getChargerReportRoute = {
  kind: 'http',
  id: 'GetChargerReport',
  method: 'GET',
  path: '/chargers/{chargerId}/reports/{requestId}',
  auth: READERS,
  summary: 'A 2.x report assembled from its pages; kind: deviceModel (NotifyReport, default), monitoring, customerInformation, displayMessages, chargingProfiles, derControls (2.1)',
  query: ReportQuerySchema,
  response: ChargerReportSchema,
  entry: 'api/chargers/get-charger-report.ts',
  access: { tables: { Csms: { actions: ['GetItem', 'Query'], partitionKeyPrefixes: [CHARGER_PK_PREFIX, REPORT_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const chargerRoutes = [
  listChargersRoute,
  createChargerRoute,
  importChargersRoute,
  getChargerRoute,
  patchChargerRoute,
  deleteChargerRoute,
  rotateChargerPasswordRoute,
  setChargerRegistrationRoute,
  getChargerConnectorsRoute,
  listChargerStatusHistoryRoute,
  listChargerTimelineRoute,
  listChargerMessagesRoute,
  getChargerReportRoute,
] as const;
