/**
 * The HTTPS file endpoint chargers send diagnostics and logs to, and fetch firmware from (issue 12). Data only: the
 * route table spreads `uploadRoutes`. Limits and what an operator should know: docs/files.md.
 */
import { CHARGER_UPLOADS_PREFIX, FIRMWARE_PREFIX } from '#shared/file/object-keys.ts';
import { DOWNLOAD_TOKEN_PK_PREFIX, FILE_PK_PREFIX, UPLOAD_TOKEN_PK_PREFIX } from '#shared/store/keys.ts';
import type { FunctionUrlRoute } from '../routes.ts';

export const receiveUploadsRoute = {
  kind: 'function-url',
  id: 'ReceiveUploads',
  name: 'uploads',
  entry: 'upload/receive-upload.ts',
  reason:
    'Chargers cannot sign requests or hold operator tokens: the token in the URL is the credential. An upload token is redeemed by ' +
    'the handler (bound to the charger of the path, good once, short-lived; refused with 401/403 before anything is written); a ' +
    'firmware download token only redirects to a short-lived presigned GET of the one image it was issued for (404/410 otherwise).',
  // A 4 MiB body arrives as 5.6 MB of base64 in the event: room to decode, hash and send it, with the CPU that buys.
  memoryMb: 512,
  timeoutSeconds: 30,
  // Anyone can call a function URL: the cap keeps a flood of uploads from taking the concurrency the charger routes need.
  reservedConcurrency: 10,
  // Uploads: redeeming the token and giving it back (UpdateItem of its UPLOAD# item), recording the file (UpdateItem of
  // its FILE# item); PutObject of the file in the charger's folder (chargers/). Firmware downloads: GetItem of the
  // DOWNLOAD# token and of the image's FILE# record (still there?); a presigned GET / HEAD of the image, which can do only
  // what the role may: GetObject under firmware/. Anyone can call it, so each partition gets only the action sent there.
  access: {
    tables: {
      Csms: [
        { actions: ['UpdateItem'], partitionKeyPrefixes: [UPLOAD_TOKEN_PK_PREFIX, FILE_PK_PREFIX] },
        { actions: ['GetItem'], partitionKeyPrefixes: [DOWNLOAD_TOKEN_PK_PREFIX, FILE_PK_PREFIX] },
      ],
    },
    buckets: {
      Files: [
        { access: 'write', prefix: CHARGER_UPLOADS_PREFIX },
        { access: 'read', prefix: FIRMWARE_PREFIX },
      ],
    },
    settings: ['files'],
    // Signs the CloudFront URL a plain-HTTP firmware download redirects to (shared/file/firmware-http.ts).
    secrets: ['firmwareHttpSigningKey'],
  },
} as const satisfies FunctionUrlRoute;

export const uploadRoutes = [receiveUploadsRoute] as const;
