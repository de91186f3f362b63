/**
 * The viewer-request function of the plain-HTTP firmware distribution (lib/firmware-http-edge.ts), as source text.
 * The origin, the uploads function URL, must get its own name as Host, so the viewer's Host (which the file endpoint
 * needs for the signed URL it redirects to) travels as FIRMWARE_HTTP_HOST_HEADER instead. Run it in tests with
 * `runViewerRequest` (./viewer-request.ts). No CDK imports: bin/local may load it.
 */
import { FIRMWARE_DOWNLOAD_SEGMENT } from '#shared/file/firmware-download.ts';
import { FIRMWARE_HTTP_HOST_HEADER } from '#shared/file/firmware-http.ts';

/** Downloads live under `/firmware/<token>/<name>` on the file endpoint; nothing else is served over plain HTTP. */
export const FIRMWARE_HTTP_PATH_PREFIX = `/${FIRMWARE_DOWNLOAD_SEGMENT}/`;

/**
 * ES5 for every CloudFront Functions runtime and node:vm alike. A value the viewer sent for the header is dropped
 * first, so the origin only ever sees the Host CloudFront accepted the request on. CloudFront routes a request to
 * this distribution by that Host, so it names this distribution; without one (HTTP/1.0) the distribution's own
 * domain name stands in.
 */
export const firmwareHttpViewerRequestSource = (): string => `// Plain-HTTP firmware downloads (lib/edge/firmware-http-viewer-request.ts)
var PATH_PREFIX = ${JSON.stringify(FIRMWARE_HTTP_PATH_PREFIX)};
var HOST_HEADER = ${JSON.stringify(FIRMWARE_HTTP_HOST_HEADER)};

function handler(event) {
  var request = event.request;
  if (request.uri.indexOf(PATH_PREFIX) !== 0) {
    return {
      statusCode: 404,
      statusDescription: 'Not Found',
      headers: { 'content-type': { value: 'text/plain; charset=utf-8' }, 'cache-control': { value: 'no-store' } },
      body: { encoding: 'text', data: 'Not Found\\n' },
    };
  }
  delete request.headers[HOST_HEADER];
  var host = request.headers.host ? request.headers.host.value : event.context && event.context.distributionDomainName;
  if (host) request.headers[HOST_HEADER] = { value: host };
  return request;
}
`;
