/**
 * What command answers change, end to end against a started local runtime: configuration answers (1.6
 * GetConfiguration / ChangeConfiguration, 2.0.1 GetVariables / SetVariables) kept as the charger's settings, secrets
 * masked; report requests given a requestId their report is found by; accepted composite schedules kept per EVSE.
 * Strict ocpp-rpc chargers answer; the REST API sends and reads.
 */
import type { RPCClient } from 'ocpp-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../bin/cli/commands.ts';
import type { LocalRuntime } from '../../bin/local/runtime.ts';
import { bootedCharger, runId, startE2e, type E2e } from '../support/e2e.ts';
import { signIn } from '../support/operator-tokens.ts';

let e: E2e;
let runtime: LocalRuntime;
let admin = '';
let viewer = '';
const clients: RPCClient[] = [];

// Tests read any answer field by field.
type Json = Record<string, any>;
const get = async (path: string, token = admin) => {
  const res = await fetch(`${runtime.restUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Json };
};

/** Sends a command and waits for how it ended; the queued command is returned too (its payload as recorded). */
const command = async (chargerId: string, action: string, payload: Json): Promise<{ queued: Json; done: Json }> => {
  const res = await fetch(`${runtime.restUrl}/chargers/${encodeURIComponent(chargerId)}/commands`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ action, payload }),
  });
  const queued = (await res.json()) as Json;
  expect(res.status, JSON.stringify(queued)).toBe(202);
  return { queued, done: (await get(`/commands/${queued.commandId}?wait=20`)).body };
};

const settings = async (chargerId: string, token = admin): Promise<Json[]> => (await get(`/chargers/${chargerId}/configuration?limit=500`, token)).body.items as Json[];
const settingOf = (items: Json[], name: string) => items.filter((s) => (s.key ?? s.variable?.name)?.toLowerCase() === name.toLowerCase());

/** A booted charger, closed after the file's tests. */
const connect = async (chargerId: string, protocol: 'ocpp1.6' | 'ocpp2.0.1'): Promise<RPCClient> => {
  clients.push(await bootedCharger(e, chargerId, protocol));
  return clients.at(-1)!;
};

beforeAll(async () => {
  e = await startE2e();
  runtime = e.runtime as LocalRuntime;
  admin = (await signIn(runtime.userPool, `fx-admin-${runId}`, ['admin'])).accessToken;
  viewer = (await signIn(runtime.userPool, `fx-viewer-${runId}`, ['viewer'])).accessToken;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close({ force: true })));
  await e?.runtime.stop();
});

describe('1.6 configuration', () => {
  const cp = `CP-CFG16-${runId}`;
  let client: RPCClient;
  const changes: Record<string, string> = { HeartbeatInterval: 'Accepted', MeterValueSampleInterval: 'RebootRequired', ConnectionTimeOut: 'Rejected', AuthorizationKey: 'Accepted' };

  beforeAll(async () => {
    client = await connect(cp, 'ocpp1.6');
    client.handle('GetConfiguration', async () => ({
      configurationKey: [
        { key: 'HeartbeatInterval', readonly: false, value: '300' },
        { key: 'NumberOfConnectors', readonly: true, value: '2' },
        { key: 'ConnectionTimeOut', readonly: false, value: '60' },
        { key: 'AuthorizationKey', readonly: false, value: 'secret-key-0123456789' },
        { key: 'SupportedFeatureProfiles', readonly: true },
      ],
      unknownKey: ['NoSuchKey'],
    }));
    // Keys are case-insensitive (CiString50).
    const statusOf = (key: string) => Object.entries(changes).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1] ?? 'NotSupported';
    client.handle('ChangeConfiguration', async ({ params }: { params?: Json }) => ({ status: statusOf(params?.key as string) }));
  });

  it('keeps a GetConfiguration answer as the charger’s settings, the password masked', async () => {
    const { done } = await command(cp, 'GetConfiguration', {});
    expect(done).toMatchObject({ status: 'answered', outcome: 'partial' });
    const items = await settings(cp);
    expect(items.map((s) => s.key).sort()).toEqual(['AuthorizationKey', 'ConnectionTimeOut', 'HeartbeatInterval', 'NumberOfConnectors', 'SupportedFeatureProfiles']);
    expect(settingOf(items, 'HeartbeatInterval')[0]).toEqual({
      chargerId: cp,
      protocol: 'ocpp1.6',
      key: 'HeartbeatInterval',
      value: '300',
      readonly: false,
      action: 'GetConfiguration',
      commandId: done.commandId,
      reportedAt: done.completedAt,
    });
    expect(settingOf(items, 'NumberOfConnectors')[0]).toMatchObject({ readonly: true, value: '2' });
    expect(settingOf(items, 'SupportedFeatureProfiles')[0]).not.toHaveProperty('value');
    expect(settingOf(items, 'AuthorizationKey')[0]).toMatchObject({ value: '***', secret: true });
    expect(JSON.stringify(items)).not.toContain('secret-key-0123456789');
  });

  it('updates a setting from a change the charger took, in any case of its key, and leaves a refused one', async () => {
    const taken = await command(cp, 'ChangeConfiguration', { key: 'heartbeatinterval', value: '60' });
    expect(taken.done).toMatchObject({ status: 'answered', outcome: 'accepted' });
    await command(cp, 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '15' });
    await command(cp, 'ChangeConfiguration', { key: 'ConnectionTimeOut', value: '90' });
    await command(cp, 'ChangeConfiguration', { key: 'AuthorizationKey', value: 'next-key-9876543210' });
    const items = await settings(cp);
    expect(settingOf(items, 'HeartbeatInterval')).toEqual([expect.objectContaining({ value: '60', readonly: false, action: 'ChangeConfiguration', commandId: taken.done.commandId })]);
    expect(settingOf(items, 'MeterValueSampleInterval')).toEqual([expect.objectContaining({ value: '15', rebootRequired: true })]);
    expect(settingOf(items, 'ConnectionTimeOut')).toEqual([expect.objectContaining({ value: '60', action: 'GetConfiguration' })]);
    expect(settingOf(items, 'AuthorizationKey')).toEqual([expect.objectContaining({ value: '***', secret: true, action: 'ChangeConfiguration' })]);
    expect(JSON.stringify(items)).not.toContain('next-key-9876543210');
  });

  it('lets every role read it, answers 404 for an unknown charger, and the CLI prints it', async () => {
    expect((await settings(cp.toLowerCase(), viewer)).length).toBe(6);
    expect((await get(`/chargers/CP-NONE-${runId}/configuration`)).status).toBe(404);
    const printed = await commands.charger!.config!(e.deps, [cp], {}, {});
    expect((printed.result as { items: Json[] }).items.map((s) => s.key)).toContain('MeterValueSampleInterval');
  });
});

describe('2.0.1 configuration', () => {
  const cp = `CP-CFG201-${runId}`;
  const heartbeat = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } };
  const password = { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } };
  const maxCurrent = { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, attributeType: 'MaxSet' };
  let client: RPCClient;

  beforeAll(async () => {
    client = await connect(cp, 'ocpp2.0.1');
    client.handle('GetVariables', async () => ({
      getVariableResult: [
        { attributeStatus: 'Accepted', attributeValue: '300', ...heartbeat },
        { attributeStatus: 'Accepted', attributeValue: 'a-password-of-the-charger', ...password },
        { attributeStatus: 'Accepted', attributeValue: '22000', ...maxCurrent },
        { attributeStatus: 'UnknownVariable', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NoSuchVariable' } },
        // Nothing that was asked for: never stored.
        { attributeStatus: 'Accepted', attributeValue: 'x', component: { name: 'Invented' }, variable: { name: 'Thing' } },
      ],
    }));
    // Answers in another order than asked, in another case, one refused.
    client.handle('SetVariables', async () => ({
      setVariableResult: [
        { attributeStatus: 'RebootRequired', component: { name: 'evse', evse: { id: 1 } }, variable: { name: 'power' }, attributeType: 'MaxSet' },
        { attributeStatus: 'Rejected', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
        { attributeStatus: 'Accepted', ...heartbeat },
      ],
    }));
  });

  it('keeps the accepted GetVariables results that were asked for, each attribute of each component apart', async () => {
    const { done } = await command(cp, 'GetVariables', { getVariableData: [heartbeat, password, maxCurrent, { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NoSuchVariable' } }] });
    expect(done).toMatchObject({ status: 'answered', outcome: 'partial' });
    const items = await settings(cp);
    expect(items).toHaveLength(3);
    expect(settingOf(items, 'HeartbeatInterval')[0]).toEqual({
      chargerId: cp,
      protocol: 'ocpp2.0.1',
      ...heartbeat,
      attributeType: 'Actual',
      value: '300',
      action: 'GetVariables',
      commandId: done.commandId,
      reportedAt: done.completedAt,
    });
    expect(settingOf(items, 'Power')[0]).toMatchObject({ ...maxCurrent, value: '22000' });
    expect(settingOf(items, 'BasicAuthPassword')[0]).toMatchObject({ value: '***', secret: true });
    expect(JSON.stringify(items)).not.toContain('a-password-of-the-charger');
  });

  it('stores the values of the SetVariables results the charger took, paired with what was sent', async () => {
    const { done } = await command(cp, 'SetVariables', {
      setVariableData: [
        { ...heartbeat, attributeValue: '120' },
        { ...password, attributeValue: 'another-password-0123' },
        { ...maxCurrent, attributeValue: '11000' },
      ],
    });
    expect(done.status).toBe('answered');
    const items = await settings(cp);
    expect(items).toHaveLength(3);
    expect(settingOf(items, 'HeartbeatInterval')[0]).toMatchObject({ value: '120', action: 'SetVariables', commandId: done.commandId });
    expect(settingOf(items, 'HeartbeatInterval')[0]).not.toHaveProperty('rebootRequired');
    expect(settingOf(items, 'Power')[0]).toMatchObject({ value: '11000', rebootRequired: true, attributeType: 'MaxSet' });
    expect(settingOf(items, 'BasicAuthPassword')[0]).toMatchObject({ value: '***', action: 'GetVariables' });
  });
});

describe('report requests', () => {
  it('gives a GetBaseReport without requestId one, by which its NotifyReport is found', async () => {
    const cp = `CP-REP-${runId}`;
    const client = await connect(cp, 'ocpp2.0.1');
    const asked: Json[] = [];
    client.handle('GetBaseReport', async ({ params }: { params?: Json }) => {
      asked.push(params ?? {});
      return { status: 'Accepted' };
    });
    const { queued, done } = await command(cp, 'GetBaseReport', { reportBase: 'ConfigurationInventory' });
    const requestId = queued.payload.requestId as number;
    expect(Number.isInteger(requestId) && requestId > 0 && requestId < 2 ** 31).toBe(true);
    expect(done).toMatchObject({ status: 'answered', payload: { requestId, reportBase: 'ConfigurationInventory' } });
    expect(asked).toEqual([{ requestId, reportBase: 'ConfigurationInventory' }]);
    const reportData = [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, variableAttribute: [{ value: '300' }] }];
    await client.call('NotifyReport', { requestId, generatedAt: '2026-03-01T10:00:00Z', seqNo: 0, tbc: false, reportData });
    expect((await get(`/chargers/${cp}/reports/${requestId}`)).body).toMatchObject({ requestId, complete: true, reportData });
    // The CLI answers as the API does: the report, or an error for one that never arrived.
    expect((await commands.charger!.report!(e.deps, [cp, String(requestId)], {}, {})).result).toMatchObject({ requestId, complete: true, reportData });
    expect((await get(`/chargers/${cp}/reports/${requestId + 1}`)).status).toBe(404);
    await expect(commands.charger!.report!(e.deps, [cp, String(requestId + 1)], {}, {})).rejects.toThrow(`No deviceModel report ${requestId + 1} from charger ${cp}`);
  });

  it('keeps the requestId the operator chose, and gives one to the other report requests that carry it', async () => {
    const cp = `CP-REPID-${runId}`;
    const client = await connect(cp, 'ocpp2.0.1');
    for (const action of ['GetReport', 'GetMonitoringReport', 'GetLog']) client.handle(action, async () => ({ status: 'Accepted' }));
    expect((await command(cp, 'GetReport', { requestId: 42 })).queued.payload).toEqual({ requestId: 42 });
    expect((await command(cp, 'GetMonitoringReport', {})).queued.payload.requestId).toBeGreaterThan(0);
    const log = await command(cp, 'GetLog', { logType: 'DiagnosticsLog', log: { remoteLocation: 'https://logs.example.com/up' } });
    expect(log.done).toMatchObject({ status: 'answered', payload: { requestId: expect.any(Number) } });
  });
});

describe('composite schedules', () => {
  const periods = [{ startPeriod: 0, limit: 16 }, { startPeriod: 3600, limit: 8, numberPhases: 3 }];

  it('keeps the latest accepted 1.6 schedule per connector, not a rejected one', async () => {
    const cp = `CP-SCH16-${runId}`;
    const client = await connect(cp, 'ocpp1.6');
    let answer: Json = { status: 'Accepted', scheduleStart: '2026-03-01T10:00:00Z', chargingSchedule: { duration: 7200, chargingRateUnit: 'A', chargingSchedulePeriod: periods } };
    client.handle('GetCompositeSchedule', async () => answer);
    const first = await command(cp, 'GetCompositeSchedule', { connectorId: 1, duration: 7200 });
    expect(first.done.outcome).toBe('accepted');
    const expected = {
      chargerId: cp,
      protocol: 'ocpp1.6',
      evseId: 1,
      scheduleStart: '2026-03-01T10:00:00Z',
      duration: 7200,
      chargingRateUnit: 'A',
      chargingSchedulePeriod: periods,
      commandId: first.done.commandId,
      reportedAt: first.done.completedAt,
    };
    expect((await get(`/chargers/${cp}/composite-schedules`, viewer)).body.items).toEqual([expected]);
    answer = { status: 'Rejected' };
    expect((await command(cp, 'GetCompositeSchedule', { connectorId: 1, duration: 600 })).done.outcome).toBe('rejected');
    expect((await get(`/chargers/${cp}/composite-schedules`)).body.items).toEqual([expected]);
    answer = { status: 'Accepted', connectorId: 0, chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11000 }] } };
    await command(cp, 'GetCompositeSchedule', { connectorId: 0, duration: 600 });
    const items = (await get(`/chargers/${cp}/composite-schedules`)).body.items as Json[];
    expect(items.map((s) => [s.evseId, s.chargingRateUnit])).toEqual([[0, 'W'], [1, 'A']]);
  });

  it('keeps a 2.0.1 schedule under its EVSE, replaced by a later one', async () => {
    const cp = `CP-SCH201-${runId}`;
    const client = await connect(cp, 'ocpp2.0.1');
    let limit = 32;
    client.handle('GetCompositeSchedule', async ({ params }: { params?: Json }) => ({
      status: 'Accepted',
      schedule: { evseId: params?.evseId, duration: params?.duration, scheduleStart: '2026-03-01T10:00:00Z', chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit }] },
    }));
    await command(cp, 'GetCompositeSchedule', { evseId: 2, duration: 3600 });
    limit = 10;
    const later = await command(cp, 'GetCompositeSchedule', { evseId: 2, duration: 1800 });
    expect((await get(`/chargers/${cp}/composite-schedules`)).body.items).toEqual([
      expect.objectContaining({ evseId: 2, duration: 1800, chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }], commandId: later.done.commandId }),
    ]);
    expect((await get(`/chargers/CP-NONE-${runId}/composite-schedules`)).status).toBe(404);
  });
});
