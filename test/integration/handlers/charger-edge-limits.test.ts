/**
 * What one charger message may cost, and what a charger gets when we fail (issue 8, items 0, 4 and 10): every
 * CALL is answered with an OCPP frame, never API Gateway's own error; the store failing or stalling costs the
 * charger an InternalError, not the process; a charger's samples and messages are bounded; whatever a frame
 * looks like, it reaches the message log.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCharger } from '#shared/charger/registry.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';
import { MAX_LOGGED_FRAME_BYTES } from '#shared/log/message-log.ts';
import { TOO_DEEP } from '#shared/log/redact.ts';
import { meterPk } from '#shared/store/keys.ts';
import { lambdaContext, startHarness, type Harness } from '../../support/handler-harness.ts';
import { startStoreProxy, type StoreProxy } from '../../support/store-proxy.ts';
import { testDynamoEndpoint } from '../../support/dynamo.ts';
import { messageEvent } from '../../../bin/local/events/index.ts';
import { captureEmbeddedMetrics, MetricsCollector, type MetricPoint } from '../../../bin/local/metrics.ts';
import { METRICS } from '#shared/metrics/catalog.ts';

let h: Harness;
let proxy: StoreProxy;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
const v16 = 'ocpp1.6' as const;
const MAX_SAMPLES = 5;
const BURST = 12;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  proxy = await startStoreProxy(testDynamoEndpoint());
  h = await startHarness({
    AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
    MAX_SAMPLES_PER_MESSAGE: String(MAX_SAMPLES),
    MESSAGE_BUDGET_BURST: String(BURST),
    MESSAGE_BUDGET_PER_MINUTE: '1',
  });
});
afterEach(async () => proxy.set('pass'));
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await h?.close();
  await proxy?.close();
});

const status = (connectorId: number, state = 'Available') => ({ connectorId, errorCode: 'NoError', status: state });
const frame = (id: string, action: string, payload: unknown) => JSON.stringify([2, id, action, payload]);
const errorCodeOf = (reply: string | undefined) => (JSON.parse(reply ?? 'null') as unknown[])[2];
const samples = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ timestamp: new Date(Date.UTC(2026, 0, 1, 10, i)).toISOString(), sampledValue: [{ value: String(1000 + i) }] }));
const newestLogEntry = async (chargerId: string) => (await h.deps.stores.messageLog.list(chargerId, { newestFirst: true, limit: 1 })).items[0];

describe('the store failing under StatusNotification traffic', () => {
  it('answers every CALL with a CALLRESULT or InternalError, leaves nothing unhandled, and recovers', async () => {
    const cp = 'CP-STORE-DOWN';
    await createCharger(h.deps, { chargerId: cp });
    const send = (i: number) => h.send(cp, v16, frame(`s-${i}`, 'StatusNotification', status(1 + (i % 4))));
    const before = Promise.all(Array.from({ length: 4 }, (_, i) => send(i)));
    await proxy.set('stopped'); // mid-traffic: some of these are in flight
    const during = await Promise.all(Array.from({ length: 4 }, (_, i) => send(10 + i)));
    for (const reply of [...(await before), ...during]) {
      const [type, , result] = JSON.parse(reply ?? 'null') as unknown[];
      expect(type === 3 ? 'CALLRESULT' : result).toMatch(/^(CALLRESULT|InternalError)$/);
    }
    expect(during.map(errorCodeOf)).toEqual(Array(4).fill('InternalError'));
    await new Promise((r) => setTimeout(r, 200)); // a rejection nobody handles is reported on a later tick
    expect(unhandled).toEqual([]);

    await proxy.set('pass');
    expect(JSON.parse((await send(20)) ?? 'null')).toEqual([3, 's-20', {}]);
  });

  it('answers InternalError before the Lambda timeout when the store stops answering', async () => {
    const cp = 'CP-STORE-HANGS';
    await proxy.set('hang');
    const conn = { connectionId: 'c-hang', connectedAt: Date.now(), sourceIp: '127.0.0.1', userAgent: 'test', authorizer: { chargeBoxId: cp, protocol: v16, principalId: cp } };
    const event = messageEvent({ apiId: 'a', stage: 's', domainName: 'd', region: 'us-east-1', accountId: '0' }, conn, frame('h-1', 'StatusNotification', status(1)), false);
    // A Lambda with 2.5 s left: the answer is due 1 s before that.
    const context = { ...lambdaContext('OcppMessage'), getRemainingTimeInMillis: () => 2_500 };
    const result = (await h.handlers.message(event, context)) as { statusCode: number; body?: string };
    expect(result.statusCode).toBe(200);
    expect((JSON.parse(result.body ?? 'null') as unknown[]).slice(0, 3)).toEqual([4, 'h-1', 'InternalError']);
    expect(unhandled).toEqual([]);
  });
});

describe('the cost of one message', () => {
  it(`refuses a MeterValues with more than ${MAX_SAMPLES} samples, storing none`, async () => {
    const cp = 'CP-SAMPLES';
    await createCharger(h.deps, { chargerId: cp });
    const reply = await h.send(cp, v16, frame('mv-1', 'MeterValues', { connectorId: 1, meterValue: samples(MAX_SAMPLES + 1) }));
    expect((JSON.parse(reply ?? 'null') as unknown[]).slice(0, 3)).toEqual([4, 'mv-1', 'OccurenceConstraintViolation']);
    const stored = (await h.scanCsms()).filter((i) => i.pk === meterPk(cp));
    expect(stored).toEqual([]);
    const ok = await h.send(cp, v16, frame('mv-2', 'MeterValues', { connectorId: 1, meterValue: samples(MAX_SAMPLES) }));
    expect(JSON.parse(ok ?? 'null')).toEqual([3, 'mv-2', {}]);
    expect((await h.scanCsms()).filter((i) => i.pk === meterPk(cp))).toHaveLength(MAX_SAMPLES);
  });

  it(`ends a transaction whose StopTransaction carries more than ${MAX_SAMPLES} samples, keeping the newest`, async () => {
    const cp = 'CP-STOP-SAMPLES';
    await createCharger(h.deps, { chargerId: cp });
    await createIdToken(h.deps, { value: 'TAG-CAP' });
    const started = await h.call(cp, v16, 'StartTransaction', { connectorId: 1, idTag: 'TAG-CAP', meterStart: 0, timestamp: '2026-01-01T09:59:00Z' });
    const transactionId = (started[2] as { transactionId: number }).transactionId;
    const transactionData = samples(MAX_SAMPLES + 3);
    const stop = { transactionId, meterStop: 5000, timestamp: '2026-01-01T11:00:00Z', transactionData };
    expect((await h.call(cp, v16, 'StopTransaction', stop)).slice(0, 1)).toEqual([3]);
    const kept = (await h.scanCsms()).filter((i) => i.type === 'MeterValue' && i.chargerId === cp).map((i) => i.timestamp).sort();
    expect(kept).toEqual(transactionData.slice(-MAX_SAMPLES).map((x) => x.timestamp));
    expect(await h.deps.stores.transactions.get(cp, String(transactionId))).toMatchObject({ status: 'ended' });
  });

  it(`answers a charger over its budget of ${BURST} messages with GenericError, writing nothing for it`, async () => {
    const cp = 'CP-BUDGET';
    await createCharger(h.deps, { chargerId: cp });
    const replies: unknown[] = [];
    const printed: MetricPoint[] = [];
    const restore = captureEmbeddedMetrics(Object.assign(new MetricsCollector(), { add: (p: MetricPoint) => void printed.push(p) }));
    try {
      for (let i = 0; i < BURST + 3; i++) replies.push(errorCodeOf(await h.send(cp, v16, frame(`hb-${i}`, 'Heartbeat', {}))));
    } finally {
      restore();
    }
    // Counted for the dashboard, without the charger's id (no metric per charger).
    const overBudget = printed.filter((p) => p.name === METRICS.messagesOverBudget.name);
    expect(overBudget).toHaveLength(3);
    expect(Object.keys(overBudget[0]?.dimensions ?? {})).toEqual(['service']);
    expect(replies.filter((r) => r === 'GenericError')).toHaveLength(3);
    expect(replies.slice(BURST)).toEqual(['GenericError', 'GenericError', 'GenericError']);
    const { items } = await h.deps.stores.messageLog.list(cp, { limit: 100 });
    expect(items).toHaveLength(BURST);
  });

  it('logs a large frame truncated, with its size and hash', async () => {
    const cp = 'CP-LARGE';
    await createCharger(h.deps, { chargerId: cp });
    const raw = frame('big-1', 'Heartbeat', { vendorBlob: 'x'.repeat(40_000) });
    expect((JSON.parse((await h.send(cp, v16, raw)) ?? 'null') as unknown[]).slice(0, 2)).toEqual([3, 'big-1']);
    const entry = await newestLogEntry(cp);
    expect(entry).toMatchObject({
      messageId: 'big-1',
      action: 'Heartbeat',
      frameTruncated: true,
      frameBytes: Buffer.byteLength(raw),
      frameSha256: createHash('sha256').update(raw).digest('hex'),
    });
    expect(Buffer.byteLength(entry!.frame)).toBe(MAX_LOGGED_FRAME_BYTES);
    expect(raw.startsWith(entry!.frame)).toBe(true);
  });
});

describe('a frame nested thousands of levels deep', () => {
  it('is refused as the frame rules say and reaches the message log, its depths not stored', async () => {
    const cp = 'CP-DEEP';
    await createCharger(h.deps, { chargerId: cp });
    const depth = 20_000;
    const raw = `[2,"deep-1","Heartbeat",{"vendorBlob":${'['.repeat(depth)}${']'.repeat(depth)}}]`;
    // OCPP-J frame rules (shared/ocpp/frames.ts) refuse a payload this deep.
    expect((JSON.parse((await h.send(cp, v16, raw)) ?? 'null') as unknown[]).slice(0, 3)).toEqual([4, 'deep-1', 'FormationViolation']);
    const entry = await newestLogEntry(cp);
    expect(entry).toMatchObject({ messageId: 'deep-1', action: 'Heartbeat', frameBytes: raw.length });
    expect(entry!.frame).toContain(TOO_DEEP);
  });
});
