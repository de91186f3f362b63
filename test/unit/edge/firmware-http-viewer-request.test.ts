import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { firmwareHttpViewerRequestSource } from '../../../lib/edge/firmware-http-viewer-request.ts';
import { type CloudFrontFunctionEvent, type CloudFrontValue, isEdgeResponse, runViewerRequest } from '../../../lib/edge/viewer-request.ts';
import { FIRMWARE_HTTP_HOST_HEADER } from '../../../shared/file/firmware-http.ts';

const source = firmwareHttpViewerRequestSource();
const DISTRIBUTION = 'd222.cloudfront.net';

const viewerEvent = (uri: string, headers: Record<string, CloudFrontValue> = { host: { value: DISTRIBUTION } }): CloudFrontFunctionEvent => ({
  version: '1.0',
  context: { eventType: 'viewer-request', distributionDomainName: DISTRIBUTION },
  viewer: { ip: '192.0.2.20' },
  request: { method: 'GET', uri, querystring: {}, headers },
});

const forwardedHeaders = (event: CloudFrontFunctionEvent) => {
  const result = runViewerRequest(source, event);
  if (isEdgeResponse(result)) throw new Error(`expected a forwarded request, got ${result.statusCode}`);
  return result.headers;
};

describe('plain-HTTP firmware viewer-request', () => {
  it('passes a download on unchanged but for the viewer’s Host copied into the host header', () => {
    const event = viewerEvent('/firmware/tok/image.bin', { host: { value: DISTRIBUTION }, 'user-agent': { value: 'ACME-CP' } });
    const result = runViewerRequest(source, event);
    expect(result).toEqual({
      ...event.request,
      headers: { ...event.request.headers, [FIRMWARE_HTTP_HOST_HEADER]: { value: DISTRIBUTION } },
    });
  });

  it('replaces a value the viewer sent for the host header with the Host', () => {
    const headers = forwardedHeaders(viewerEvent('/firmware/tok/a.bin', { host: { value: DISTRIBUTION }, [FIRMWARE_HTTP_HOST_HEADER]: { value: 'evil.example' } }));
    expect(headers[FIRMWARE_HTTP_HOST_HEADER]).toEqual({ value: DISTRIBUTION });
  });

  it('uses the distribution’s own name when the viewer sent no Host (HTTP/1.0), and drops a forged header', () => {
    const headers = forwardedHeaders(viewerEvent('/firmware/tok/a.bin', { [FIRMWARE_HTTP_HOST_HEADER]: { value: 'evil.example' } }));
    expect(headers[FIRMWARE_HTTP_HOST_HEADER]).toEqual({ value: DISTRIBUTION });
  });

  it.each(['/', '/firmware', '/Firmware/tok/a.bin', '/chargers/CP1/tok', '/ocpp/CP1', '/x/firmware/tok'])('answers 404 at the edge for %s', (uri) => {
    const result = runViewerRequest(source, viewerEvent(uri));
    expect(isEdgeResponse(result) && result.statusCode).toBe(404);
  });

  it('stays within ES5 syntax, which every CloudFront Functions runtime accepts', () => {
    expect(() => transformSync(source, { target: 'es5', loader: 'js' })).not.toThrow();
  });
});
