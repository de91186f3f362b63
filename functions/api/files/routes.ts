/**
 * Files for operators (issue 12): what chargers uploaded (diagnostics, logs) and, later, firmware images. Every role
 * lists and reads them and fetches their content through a short-lived link; admins and operators delete. Data only:
 * the route table spreads `fileRoutes`. Uploads, and how a file comes to be, are other routes' work.
 */
import { TimeRangeQuerySchema } from '#shared/charger/charger-schema.ts';
import { FileContentQuery, FileContentSchema, FileViewSchema } from '#shared/file/file-schema.ts';
import { CHARGER_PK_PREFIX, FILE_PK_PREFIX, UPLOAD_TOKEN_PK_PREFIX } from '#shared/store/keys.ts';
import type { HttpRoute } from '../../routes.ts';

const READERS = { type: 'jwt', roles: ['admin', 'operator', 'viewer'] } as const;
const DELETERS = { type: 'jwt', roles: ['admin', 'operator'] } as const;

export const listChargerFilesRoute = {
  kind: 'http',
  id: 'ListChargerFiles',
  method: 'GET',
  path: '/chargers/{chargerId}/files',
  auth: READERS,
  summary: 'A charger’s files (diagnostics, logs), newest first; from/to (ISO) bound when they were asked for',
  query: TimeRangeQuerySchema,
  list: true,
  response: FileViewSchema,
  entry: 'api/files/list-charger-files.ts',
  // GetItem of the profile, then one Query of gsi1 `CHARGER#<id>#FILE`.
  access: { tables: { Csms: { actions: ['GetItem', 'Query'], partitionKeyPrefixes: [CHARGER_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const getFileRoute = {
  kind: 'http',
  id: 'GetFile',
  method: 'GET',
  path: '/files/{fileId}',
  auth: READERS,
  summary: 'A file: requested, uploading, uploaded or failed; its name, size and SHA-256 once uploaded',
  response: FileViewSchema,
  entry: 'api/files/get-file.ts',
  access: { tables: { Csms: { actions: ['GetItem'], partitionKeyPrefixes: [FILE_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const getFileContentRoute = {
  kind: 'http',
  id: 'GetFileContent',
  method: 'GET',
  path: '/files/{fileId}/content',
  auth: READERS,
  summary: 'A link to an uploaded file’s bytes, valid for 5 minutes (409 until uploaded); `redirect=true` answers 303 to it',
  query: FileContentQuery,
  response: FileContentSchema,
  entry: 'api/files/get-file-content.ts',
  // GetItem of the file; HeadObject (granted as s3:GetObject) to check the bytes are still there; the presigned GET is
  // signed with this role, so the link can read, and only read.
  access: { tables: { Csms: { actions: ['GetItem'], partitionKeyPrefixes: [FILE_PK_PREFIX] } }, buckets: { Files: 'read' } },
} as const satisfies HttpRoute;

export const deleteFileRoute = {
  kind: 'http',
  id: 'DeleteFile',
  method: 'DELETE',
  path: '/files/{fileId}',
  auth: DELETERS,
  summary: 'Delete a file: its bytes, then its record and upload token (a file not uploaded yet cannot be uploaded any more)',
  entry: 'api/files/delete-file.ts',
  // GetItem of the file (twice: its key, then its token's hash), DeleteObject, then a transaction deleting the file
  // and its token.
  access: {
    tables: { Csms: { actions: ['GetItem', 'DeleteItem'], partitionKeyPrefixes: [FILE_PK_PREFIX, UPLOAD_TOKEN_PK_PREFIX] } },
    buckets: { Files: 'delete' },
  },
} as const satisfies HttpRoute;

export const fileRoutes = [listChargerFilesRoute, getFileRoute, getFileContentRoute, deleteFileRoute] as const;
