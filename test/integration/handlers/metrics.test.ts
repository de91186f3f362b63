/**
 * Metrics as the functions emit them: every inbound action of each OCPP version, sent through the real $default
 * handler on DynamoDB Local, prints a ChargerMessages line in CloudWatch's embedded metric format (read back from
 * stdout, as CloudWatch and the local runtime read it) with the catalog's namespace, the service dimension, the
 * action and the version; a CALLERROR answer prints CallErrorsSent with its code, a tolerated payload
 * PayloadsTolerated, and an action name no version has is counted as `Other` (a charger cannot mint metrics).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCharger } from '#shared/charger/registry.ts';
import { inboundActions } from '#shared/inbound/actions.ts';
import { METRICS, METRICS_NAMESPACE, METRICS_SERVICE } from '#shared/metrics/catalog.ts';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import { captureEmbeddedMetrics, MetricsCollector, type MetricPoint } from '../../../bin/local/metrics.ts';
import { ocppRpcSchemas, samplePayload, type JsonSchema } from '../../support/ocpp-rpc-schemas.ts';
import { startHarness, type Harness } from '../../support/handler-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

/** The metric points printed while `work` runs. */
const printedDuring = async (work: () => Promise<unknown>): Promise<MetricPoint[]> => {
  const points: MetricPoint[] = [];
  const collector = Object.assign(new MetricsCollector(), { add: (p: MetricPoint) => void points.push(p) });
  const restore = captureEmbeddedMetrics(collector);
  try {
    await work();
  } finally {
    restore();
  }
  return points;
};

const named = (points: readonly MetricPoint[], name: string) => points.filter((p) => p.name === name);

const PROTOCOLS: readonly OcppProtocol[] = ['ocpp1.6', 'ocpp2.0.1'];

describe('ChargerMessages', () => {
  for (const protocol of PROTOCOLS) {
    const actions = Object.keys(inboundActions[protocol]);
    it(`${protocol}: one line per message for each of its ${actions.length} actions, by action and version`, async () => {
      const chargerId = `CP-MET-${protocol.replace(/\W/g, '')}`;
      await createCharger(h.deps, { chargerId, registrationStatus: 'accepted' });
      const schemas = ocppRpcSchemas(protocol);
      for (const action of actions) {
        const schema = schemas.get(`${action}.req`) as JsonSchema;
        const points = await printedDuring(() => h.call(chargerId, protocol, action, samplePayload(schema, 'required')));
        const messages = named(points, METRICS.chargerMessages.name);
        expect(messages, action).toEqual([
          { namespace: METRICS_NAMESPACE, name: 'ChargerMessages', unit: 'Count', value: 1, dimensions: { service: METRICS_SERVICE, Action: action, Protocol: protocol } },
        ]);
      }
    });
  }

  it('a CALLERROR answer is counted by its code; an unknown action as Other', async () => {
    await createCharger(h.deps, { chargerId: 'CP-MET-ERR', registrationStatus: 'accepted' });
    const points = await printedDuring(() => h.send('CP-MET-ERR', 'ocpp1.6', JSON.stringify([2, 'm-1', 'NoSuchAction', {}])));
    expect(named(points, 'ChargerMessages')).toEqual([expect.objectContaining({ dimensions: { service: METRICS_SERVICE, Action: 'Other', Protocol: 'ocpp1.6' } })]);
    expect(named(points, 'CallErrorsSent')).toEqual([expect.objectContaining({ value: 1, dimensions: { service: METRICS_SERVICE, ErrorCode: 'NotImplemented' } })]);
  });

  it('a tolerated payload is counted by its action', async () => {
    await createCharger(h.deps, { chargerId: 'CP-MET-TOL', registrationStatus: 'accepted' });
    // A number sent as a string: accepted, and counted as tolerated.
    const points = await printedDuring(() => h.call('CP-MET-TOL', 'ocpp1.6', 'MeterValues', { connectorId: '1', meterValue: [{ timestamp: '2026-03-01T10:00:00Z', sampledValue: [{ value: '5' }] }] }));
    expect(named(points, 'PayloadsTolerated')).toEqual([expect.objectContaining({ dimensions: { service: METRICS_SERVICE, Action: 'MeterValues' } })]);
  });
});
