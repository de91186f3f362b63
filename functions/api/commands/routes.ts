/**
 * The command resources of the REST API (issue 10). Data only: the route table spreads `commandRoutes`. Operators
 * and admins send and cancel; every role reads. Sending records the command and puts it on the command queue; the
 * charger's answer arrives later (follow `GET /commands/{id}`, optionally with `?wait=`).
 */
import { CommandSchema, GetCommandQuery, SendCommandSchema } from '#shared/command/command-schema.ts';
import { CHARGER_PK_PREFIX, COMMAND_PK_PREFIX, DOWNLOAD_TOKEN_PK_PREFIX, FILE_PK_PREFIX, IDEMPOTENCY_PK_PREFIX, UPLOAD_TOKEN_PK_PREFIX } from '#shared/store/keys.ts';
import type { HttpRoute } from '../../routes.ts';

const READERS = { type: 'jwt', roles: ['admin', 'operator', 'viewer'] } as const;
const SENDERS = { type: 'jwt', roles: ['admin', 'operator'] } as const;

export const sendCommandRoute = {
  kind: 'http',
  id: 'SendCommand',
  method: 'POST',
  path: '/chargers/{chargerId}/commands',
  auth: SENDERS,
  summary: 'Send an OCPP command to a charger: 202 with the queued command; follow it at its Location',
  body: SendCommandSchema,
  response: CommandSchema,
  idempotent: true,
  accepted: true,
  entry: 'api/commands/send-command.ts',
  // Checks the OCPP payload it sends: the validators ship beside the bundle (not 1.2 MB inside it).
  ocppValidators: true,
  // One BatchGetItem of the profile and presence (a GetItem of the presence when asked in another case), a
  // conditional PutItem of the command (GetItem on a retry), the idempotency record; one SendMessage. The file endpoints
  // are where a GetDiagnostics or GetLog sent without a location tells the charger to upload: one transaction of two
  // PutItems records its file and upload token (a retried submission that finds the file reads it and the command:
  // GetItems). UpdateFirmware / SignedUpdateFirmware: GetItem of the command (a retried submission goes on as the
  // first), PutItem of the charger's update; with a firmwareId, GetItem of the image, and the update written with the download token of its location (one transaction of two PutItems). The
  // location is the file endpoint's, which signs the image's GET when fetched: no bucket access here.
  access: {
    tables: {
      Csms: {
        actions: ['BatchGetItem', 'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
        partitionKeyPrefixes: [CHARGER_PK_PREFIX, COMMAND_PK_PREFIX, IDEMPOTENCY_PK_PREFIX, FILE_PK_PREFIX, UPLOAD_TOKEN_PK_PREFIX, DOWNLOAD_TOKEN_PK_PREFIX],
      },
    },
    queues: { Commands: 'send' },
    fileEndpoints: true,
  },
} as const satisfies HttpRoute;

export const getCommandRoute = {
  kind: 'http',
  id: 'GetCommand',
  method: 'GET',
  path: '/commands/{commandId}',
  auth: READERS,
  summary: 'A command; `wait` (seconds, at most 25) waits for it to end',
  query: GetCommandQuery,
  response: CommandSchema,
  entry: 'api/commands/get-command.ts',
  // The long poll's reads, and room to answer before API Gateway's 29 s.
  timeoutSeconds: 28,
  access: { tables: { Csms: { actions: ['GetItem'], partitionKeyPrefixes: [COMMAND_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const listChargerCommandsRoute = {
  kind: 'http',
  id: 'ListChargerCommands',
  method: 'GET',
  path: '/chargers/{chargerId}/commands',
  auth: READERS,
  summary: 'A charger’s commands, newest first',
  list: true,
  response: CommandSchema,
  entry: 'api/commands/list-charger-commands.ts',
  // GetItem of the profile, then one Query of gsi1 `CHARGER#<id>#CMD`.
  access: { tables: { Csms: { actions: ['GetItem', 'Query'], partitionKeyPrefixes: [CHARGER_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const cancelCommandRoute = {
  kind: 'http',
  id: 'CancelCommand',
  method: 'DELETE',
  path: '/commands/{commandId}',
  auth: SENDERS,
  summary: 'Cancel a queued command (409 once it was sent)',
  entry: 'api/commands/cancel-command.ts',
  access: { tables: { Csms: { actions: ['UpdateItem'], partitionKeyPrefixes: [COMMAND_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const commandRoutes = [sendCommandRoute, getCommandRoute, listChargerCommandsRoute, cancelCommandRoute] as const;
