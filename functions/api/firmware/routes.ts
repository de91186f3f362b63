/**
 * Firmware images (issue 12): operators and admins declare one and upload its bytes to the presigned PUT they get;
 * every role reads the images and each charger's firmware updates (the UpdateFirmware commands sent to it with their
 * progress). Data only: the route table spreads `firmwareRoutes`. Sending an image to a charger is an UpdateFirmware
 * command with its `firmwareId` (POST /chargers/{id}/commands).
 */
import { DeclaredFirmwareSchema, DeclareFirmwareSchema, FirmwareSchema, FirmwareUpdateSchema } from '#shared/file/firmware-api.ts';
import { FIRMWARE_PREFIX } from '#shared/file/object-keys.ts';
import { CHARGER_PK_PREFIX, FILE_PK_PREFIX } from '#shared/store/keys.ts';
import type { HttpRoute } from '../../routes.ts';

const READERS = { type: 'jwt', roles: ['admin', 'operator', 'viewer'] } as const;
const UPLOADERS = { type: 'jwt', roles: ['admin', 'operator'] } as const;

export const createFirmwareRoute = {
  kind: 'http',
  id: 'CreateFirmware',
  method: 'POST',
  path: '/firmware',
  auth: UPLOADERS,
  summary: 'Declare a firmware image (name, SHA-256, signature): 201 with it and a presigned PUT (15 minutes) that accepts only those bytes',
  body: DeclareFirmwareSchema,
  response: DeclaredFirmwareSchema,
  entry: 'api/firmware/create-firmware.ts',
  // PutItem `FILE#<id>` (conditional); presigning the PUT is local (no request), but the URL can do only what the
  // role may: PutObject under firmware/. Not idempotent: a retry declares another image (the first stays requested).
  access: {
    tables: { Csms: { actions: ['PutItem'], partitionKeyPrefixes: [FILE_PK_PREFIX] } },
    buckets: { Files: { access: 'write', prefix: FIRMWARE_PREFIX } },
  },
} as const satisfies HttpRoute;

// Index queries carry no leading-key condition: IAM's dynamodb:LeadingKeys names the table's partition key.
export const listFirmwareRoute = {
  kind: 'http',
  id: 'ListFirmware',
  method: 'GET',
  path: '/firmware',
  auth: READERS,
  summary: 'Firmware images, newest first',
  list: true,
  response: FirmwareSchema,
  entry: 'api/firmware/list-firmware.ts',
  // One Query of gsi1 `FIRMWARE`.
  access: { tables: { Csms: { actions: ['Query'] } } },
} as const satisfies HttpRoute;

export const getFirmwareRoute = {
  kind: 'http',
  id: 'GetFirmware',
  method: 'GET',
  path: '/firmware/{fileId}',
  auth: READERS,
  summary: 'A firmware image: its checksum, signature, and whether its bytes landed (`uploaded`)',
  response: FirmwareSchema,
  entry: 'api/firmware/get-firmware.ts',
  access: { tables: { Csms: { actions: ['GetItem'], partitionKeyPrefixes: [FILE_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const listChargerFirmwareUpdatesRoute = {
  kind: 'http',
  id: 'ListChargerFirmwareUpdates',
  method: 'GET',
  path: '/chargers/{chargerId}/firmware-updates',
  auth: READERS,
  summary: 'A charger’s firmware updates (UpdateFirmware / SignedUpdateFirmware commands), newest first, with the statuses it reported',
  list: true,
  response: FirmwareUpdateSchema,
  entry: 'api/firmware/list-charger-firmware-updates.ts',
  // GetItem of the profile, then one Query of gsi1 `CHARGER#<id>#FWUPDATE`.
  access: { tables: { Csms: { actions: ['GetItem', 'Query'], partitionKeyPrefixes: [CHARGER_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const firmwareRoutes = [createFirmwareRoute, listFirmwareRoute, getFirmwareRoute, listChargerFirmwareUpdatesRoute] as const;
