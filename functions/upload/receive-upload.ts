/**
 * The HTTPS file endpoint (the `uploads` function URL): a charger's PUT or POST of the file a command asked it for, at
 * `<endpoint>/<chargerId>/<token>[/<file name>]`, and its GET or HEAD of a firmware image at
 * `<endpoint>/firmware/<token>[/<name>]` (over plain HTTP too, through the firmware distribution: shared/file/firmware-http.ts).
 * Function URL event in, shared/file/file-endpoint.ts, HTTP answer out: 201
 * with a small receipt, 302 to the image, or problem details.
 */
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { answerFileRequest, type FileEndpointAnswer } from '#shared/file/file-endpoint.ts';
import { FIRMWARE_HTTP_HOST_HEADER } from '#shared/file/firmware-http.ts';
import { firmwareHttpSigner as createFirmwareHttpSigner } from '#shared/store/firmware-http-signer.ts';
import { parseFilesSettings } from '../_common/env.ts';
import { secrets } from '../_common/secrets.ts';
import { ApiProblem } from '../_common/http/problem.ts';
import { depsWithFiles as deps } from '../_common/files.ts';
import { withCsms } from '../_common/with-csms.ts';

const { FILE_UPLOAD_MAX_BYTES } = parseFilesSettings();
// The key is read when a plain-HTTP download first needs it, and then as the secret reader caches.
const firmwareHttpSigner = createFirmwareHttpSigner(async () => (await secrets('firmwareHttpSigningKey')).current);

/** The path's segments, each percent-decoded; none when one cannot be decoded (404, as for any other bad path). */
const segmentsOf = (rawPath: string): string[] => {
  try {
    return rawPath.split('/').filter((s) => s !== '').map(decodeURIComponent);
  } catch {
    return [];
  }
};

const answer = (a: FileEndpointAnswer): LambdaFunctionURLResult => {
  // The presigned URL lives minutes: no cache may keep the redirect.
  if (a.status === 302) return { statusCode: 302, headers: { location: a.location, 'cache-control': 'no-store' } };
  const retry: Record<string, string> = a.status === 503 ? { 'retry-after': '60' } : {};
  return a.status === 201
    ? { statusCode: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify(a.receipt) }
    : {
        statusCode: a.status,
        headers: { 'content-type': 'application/problem+json', ...retry, ...('allow' in a ? { allow: a.allow.join(', ') } : {}) },
        body: JSON.stringify(new ApiProblem(a.status, a.detail).body()),
      };
};

export const handler = withCsms(async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
  const { headers } = event;
  const received = await answerFileRequest(
    { ...deps, files: { ...(deps.files ?? { endpoints: {} }), firmwareHttpSigner } },
    {
      method: event.requestContext.http.method,
      segments: segmentsOf(event.rawPath),
      ...(headers[FIRMWARE_HTTP_HOST_HEADER] !== undefined ? { httpHost: headers[FIRMWARE_HTTP_HOST_HEADER] } : {}),
      headers: {
        ...(headers['content-type'] !== undefined ? { contentType: headers['content-type'] } : {}),
        ...(headers['content-length'] !== undefined ? { contentLength: headers['content-length'] } : {}),
        ...(headers['content-disposition'] !== undefined ? { contentDisposition: headers['content-disposition'] } : {}),
      },
      body: Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8'),
      maxBytes: FILE_UPLOAD_MAX_BYTES,
    },
  );
  return answer(received);
});
