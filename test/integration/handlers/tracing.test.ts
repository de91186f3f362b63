/**
 * X-Ray tracing as a deployed function does it: the handler modules are loaded with the environment Lambda gives a
 * function with active tracing (task root, execution environment, the invocation's trace header, the daemon's
 * address), and a UDP socket stands in for the X-Ray daemon. A charger's BootNotification through the real $default
 * handler on DynamoDB Local must send the handler's subsegment (ColdStart, service and the charger's id as
 * annotations; no response recorded) and a subsegment per DynamoDB call, in the invocation's trace. A condition that
 * did not hold is recorded as the call's error without its stack (reading it maps every frame through the source map).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaTracingEnv, startXrayDaemon, TRACE_ROOT, type XrayDaemon, type XraySegment } from '../../../bench/xray-daemon.ts';
import type { Harness } from '../../support/handler-harness.ts';

let daemon: XrayDaemon;
let segments: XraySegment[];
let h: Harness;

beforeAll(async () => {
  daemon = await startXrayDaemon();
  segments = daemon.segments;
  Object.assign(process.env, lambdaTracingEnv(daemon, '/var/task'), { POWERTOOLS_SERVICE_NAME: 'o-v2x-mp-test' });
  // Imported only now: the X-Ray SDK and the tracer read the environment when they load, as on a cold start.
  const { startHarness } = await import('../../support/handler-harness.ts');
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
  daemon?.close();
});

/** The subsegments sent once `count` of them match, or what arrived within two seconds. */
const sent = async (match: (s: XraySegment) => boolean, count = 1): Promise<XraySegment[]> => {
  for (let waited = 0; segments.filter(match).length < count && waited < 2_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  return segments.filter(match);
};

describe('X-Ray tracing on Lambda', () => {
  it('sends the handler subsegment and one subsegment per DynamoDB call of a BootNotification, in its trace', async () => {
    const { createCharger } = await import('#shared/charger/registry.ts');
    await createCharger(h.deps, { chargerId: 'CP-TRACED' });
    segments.length = 0;
    const reply = await h.call('CP-TRACED', 'ocpp1.6', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
    expect(reply[0]).toBe(3);

    const [handler] = await sent((s) => s.name === '## index.handler');
    expect(handler).toMatchObject({ trace_id: TRACE_ROOT, annotations: { ColdStart: true, Service: 'o-v2x-mp-test', chargerId: 'CP-TRACED' } });
    // Responses carry charger frames, tokens and user records: never recorded.
    expect(JSON.stringify(handler?.metadata ?? {})).not.toContain('currentTime');

    const calls = await sent((s) => s.namespace === 'aws' && s.parent_id === handler?.id);
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call).toMatchObject({ name: 'DynamoDB', trace_id: TRACE_ROOT });
    expect(calls.map((c) => c.aws?.operation).every((op) => typeof op === 'string' && op.length > 0)).toBe(true);
  });

  it('keeps the cold start to the first invocation of the container', async () => {
    segments.length = 0;
    await h.call('CP-TRACED', 'ocpp1.6', 'Heartbeat', {});
    const [handler] = await sent((s) => s.name === '## index.handler');
    expect(handler?.annotations).toMatchObject({ ColdStart: false, chargerId: 'CP-TRACED' });
  });

  it('records a failed condition as the call’s error, without reading its stack; a fault keeps its stack', async () => {
    const { createCharger } = await import('#shared/charger/registry.ts');
    segments.length = 0;
    // The charger exists: creating it again is a condition that does not hold, an outcome.
    await createCharger(h.deps, { chargerId: 'CP-TRACED' }).catch(() => undefined);
    const [failed] = await sent((s) => s.name === 'DynamoDB' && s.error === true);
    expect(failed?.cause?.exceptions?.[0]).toMatchObject({ type: expect.stringMatching(/ConditionalCheckFailed|TransactionCanceled/), stack: [] });

    segments.length = 0;
    const { makeDocumentClient } = await import('#shared/store/dynamo.ts');
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    await makeDocumentClient(process.env).send(new GetCommand({ TableName: 'no-such-table', Key: { pk: 'x', sk: 'x' } })).catch(() => undefined);
    const [fault] = await sent((s) => s.name === 'DynamoDB' && s.error === true);
    expect(fault?.cause?.exceptions?.[0]?.type).toBe('ResourceNotFoundException');
    expect(fault?.cause?.exceptions?.[0]?.stack?.length).toBeGreaterThan(0);
  });
});
