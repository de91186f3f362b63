import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  type CloudFrontFunctionEvent,
  type CloudFrontFunctionRequest,
  type CloudFrontValue,
  isEdgeResponse,
  runViewerRequest,
  viewerRequestSource,
} from '../../../lib/edge/viewer-request.ts';

const source = viewerRequestSource({ pathPrefix: 'ocpp', stageName: 'dev' });

const viewerEvent = (
  uri: string,
  o: { query?: Record<string, CloudFrontValue>; headers?: Record<string, CloudFrontValue> } = {},
): CloudFrontFunctionEvent => ({
  version: '1.0',
  context: { eventType: 'viewer-request' },
  viewer: { ip: '192.0.2.10' },
  request: {
    method: 'GET',
    uri,
    querystring: o.query ?? {},
    headers: { host: { value: 'd111.cloudfront.net' }, ...o.headers },
  },
});

const forwarded = (event: CloudFrontFunctionEvent, src = source): CloudFrontFunctionRequest => {
  const result = runViewerRequest(src, event);
  if (isEdgeResponse(result)) throw new Error(`expected a forwarded request, got ${result.statusCode}`);
  return result;
};

const refusal = (event: CloudFrontFunctionEvent) => {
  const result = runViewerRequest(source, event);
  if (!isEdgeResponse(result)) throw new Error(`expected a refusal, got a request for ${result.uri}`);
  return { status: result.statusCode, reason: result.body?.data ?? '' };
};

describe('viewer-request rewrite of charger URLs', () => {
  it('rewrites /ocpp/<id> to the stage path with the id as the only query parameter', () => {
    const req = forwarded(viewerEvent('/ocpp/CP-001', { query: { other: { value: 'x' } } }));
    expect(req.uri).toBe('/dev');
    expect(req.querystring).toEqual({ chargeBoxId: { value: 'CP-001' } });
  });

  it('decodes a percent-encoded id once and re-encodes it for the query string', () => {
    const req = forwarded(viewerEvent('/ocpp/CP%2B1'));
    expect(req.querystring.chargeBoxId?.value).toBe('CP%2B1');
    expect(decodeURIComponent(req.querystring.chargeBoxId?.value ?? '')).toBe('CP+1');
  });

  it('encodes every identifierString character that is special in a query string', () => {
    const req = forwarded(viewerEvent('/ocpp/a*b-c_d=e:f+g|h@i.j'));
    expect(req.querystring.chargeBoxId?.value).toBe('a*b-c_d%3De%3Af%2Bg%7Ch%40i.j');
  });

  it('accepts an id of exactly 48 characters', () => {
    const id = 'A'.repeat(48);
    expect(forwarded(viewerEvent(`/ocpp/${id}`)).querystring.chargeBoxId?.value).toBe(id);
  });

  it('accepts the id given as ?chargeBoxId= on the prefix path, with or without a trailing slash', () => {
    for (const uri of ['/ocpp', '/ocpp/']) {
      const req = forwarded(viewerEvent(uri, { query: { chargeBoxId: { value: 'CP%3A7' }, x: { value: '1' } } }));
      expect(req.uri).toBe('/dev');
      expect(req.querystring).toEqual({ chargeBoxId: { value: 'CP%3A7' } });
    }
  });

  it('uses the configured prefix and stage name', () => {
    const custom = viewerRequestSource({ pathPrefix: 'csms/ocpp', stageName: 'prod' });
    const req = forwarded(viewerEvent('/csms/ocpp/CP1'), custom);
    expect(req.uri).toBe('/prod');
    expect(runViewerRequest(custom, viewerEvent('/ocpp/CP1'))).toMatchObject({ statusCode: 404 });
  });
});

describe('viewer-request refusals', () => {
  it('refuses an id of 49 characters', () => {
    expect(refusal(viewerEvent(`/ocpp/${'A'.repeat(49)}`))).toMatchObject({ status: 400, reason: expect.stringMatching(/48/) });
  });

  it.each([
    ['a raw slash', '/ocpp/CP/1'],
    ['an encoded slash', '/ocpp/CP%2F1'],
    ['an encoded space', '/ocpp/CP%201'],
    ['an encoded hash', '/ocpp/CP%231'],
    ['a doubly encoded plus', '/ocpp/CP%252B1'],
    ['a malformed escape', '/ocpp/CP%ZZ'],
    ['a non-ASCII letter', '/ocpp/CP%C3%A91'],
  ])('refuses an id with %s', (_what, uri) => {
    expect(refusal(viewerEvent(uri)).status).toBe(400);
  });

  it('refuses an empty id in path and query form', () => {
    expect(refusal(viewerEvent('/ocpp/')).reason).toMatch(/missing/);
    expect(refusal(viewerEvent('/ocpp')).reason).toMatch(/missing/);
    expect(refusal(viewerEvent('/ocpp', { query: { chargeBoxId: { value: '' } } })).status).toBe(400);
  });

  it('refuses a query form that names two different charge boxes', () => {
    const query = { chargeBoxId: { value: 'A', multiValue: [{ value: 'A' }, { value: 'B' }] } };
    expect(refusal(viewerEvent('/ocpp', { query })).status).toBe(400);
  });

  it.each(['/', '/dev', '/ocppx/CP1', '/other/CP1', '/OCPP/CP1'])('answers 404 for the path %s', (uri) => {
    expect(refusal(viewerEvent(uri)).status).toBe(404);
  });
});

describe('viewer-request headers', () => {
  it('copies Authorization into X-Ocpp-Authorization and keeps the original', () => {
    const basic = 'Basic Q1AxOnNlY3JldA==';
    const req = forwarded(viewerEvent('/ocpp/CP1', { headers: { authorization: { value: basic } } }));
    expect(req.headers['x-ocpp-authorization']).toEqual({ value: basic });
    expect(req.headers.authorization).toEqual({ value: basic });
  });

  it('drops a viewer-supplied X-Ocpp-Authorization when there is no Authorization', () => {
    const req = forwarded(viewerEvent('/ocpp/CP1', { headers: { 'x-ocpp-authorization': { value: 'Basic forged' } } }));
    expect(req.headers['x-ocpp-authorization']).toBeUndefined();
  });

  it('leaves Sec-WebSocket-Protocol untouched', () => {
    const protocols = { value: 'ocpp2.0.1, ocpp1.6' };
    const req = forwarded(viewerEvent('/ocpp/CP1', { headers: { 'sec-websocket-protocol': protocols } }));
    expect(req.headers['sec-websocket-protocol']).toEqual(protocols);
  });

  it('does not mutate the caller event', () => {
    const event = viewerEvent('/ocpp/CP1', { headers: { authorization: { value: 'Basic x' } } });
    const before = structuredClone(event);
    runViewerRequest(source, event);
    expect(event).toEqual(before);
  });
});

describe('viewerRequestSource', () => {
  it('substitutes both placeholders', () => {
    expect(source).not.toMatch(/__OCPP_PATH_PREFIX__|__API_STAGE_NAME__/);
    expect(source).toContain('function handler(event)');
  });

  it('stays within ES5 syntax, which every CloudFront Functions runtime accepts', () => {
    expect(() => transformSync(source, { target: 'es5', loader: 'js' })).not.toThrow();
  });

  it.each([
    [{ pathPrefix: '/ocpp', stageName: 'dev' }, /pathPrefix/],
    [{ pathPrefix: 'ocpp/', stageName: 'dev' }, /pathPrefix/],
    [{ pathPrefix: "oc'pp", stageName: 'dev' }, /pathPrefix/],
    [{ pathPrefix: 'ocpp', stageName: 'de v' }, /stageName/],
    [{ pathPrefix: 'ocpp', stageName: '' }, /stageName/],
  ])('rejects invalid options %j', (opts, message) => {
    expect(() => viewerRequestSource(opts)).toThrow(message);
  });
});
