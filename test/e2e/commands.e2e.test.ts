/**
 * CSMS-initiated commands end to end against a started local runtime: REST → the FIFO command queue on fauxqs → the
 * dispatcher → the charger's WebSocket (strict ocpp-rpc clients for 1.6 and 2.0.1) → the reply port → the command
 * record, followed with `GET /commands/{id}?wait=`.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '#shared/store/client-config.ts';
import { LOCAL_AWS_ENV } from '../../bin/local/handler-env.ts';
import { describe, expect, it } from 'vitest';
import { commandE2eFile, type Json } from '../support/command-e2e.ts';
import { ocppClient, runId } from '../support/e2e.ts';
import { signIn } from '../support/operator-tokens.ts';
import { closed } from '../support/ws-client.ts';

const f = commandE2eFile('cmd-admin');
const { api, send, follow, connect, connectRaw: rawCharger } = f;

describe('a command round trip', () => {
  it('sends a 1.6 Reset, and the charger’s answer ends the command as accepted', async () => {
    const cp = `CP-CMD16-${runId}`;
    const client = await connect(cp, 'ocpp1.6');
    const received: Json[] = [];
    client.handle('Reset', async ({ params }: { params?: Json }) => {
      received.push(params ?? {});
      return { status: 'Accepted' };
    });
    const posted = await send(cp, 'Reset', { type: 'Soft' });
    expect(posted.status).toBe(202);
    expect(posted.location).toBe(`/commands/${posted.body.commandId}`);
    expect(posted.body).toMatchObject({ status: 'queued', action: 'Reset', protocol: 'ocpp1.6', chargerId: cp });
    const done = await follow(posted.body.commandId as string);
    expect(done).toMatchObject({ status: 'answered', outcome: 'accepted', result: { status: 'Accepted' }, messageId: posted.body.commandId });
    expect(received).toEqual([{ type: 'Soft' }]);
    const listed = await api('GET', `/chargers/${cp}/commands`);
    expect(listed.body.items.map((c: Json) => c.commandId)).toEqual([posted.body.commandId]);
  });

  it('shows the round trip in the runtime’s metrics (npm run cli -- metrics): the connect, the messages, the command', async () => {
    const cp = `CP-CMDMET-${runId}`;
    const client = await connect(cp, 'ocpp1.6');
    client.handle('Reset', async () => ({ status: 'Accepted' }));
    const posted = await send(cp, 'Reset', { type: 'Hard' });
    await follow(posted.body.commandId as string);
    // The handlers' embedded-metric lines, read back by the runtime, as the CLI fetches them.
    const snapshot = (await (await fetch(f.runtime.endpoints.metrics!)).json()) as { metrics: Json[] };
    const series = (name: string, dimensions: Json) =>
      snapshot.metrics.find((m) => m.name === name && Object.entries(dimensions).every(([k, v]) => (m.dimensions as Json)[k] === v));
    expect(series('ChargerConnects', { Protocol: 'ocpp1.6' })).toMatchObject({ sum: expect.any(Number) });
    expect(series('ChargerMessages', { Action: 'BootNotification', Protocol: 'ocpp1.6' })).toMatchObject({ sum: expect.any(Number) });
    expect(series('CommandsSent', { Action: 'Reset' })).toMatchObject({ sum: expect.any(Number) });
    expect(series('CommandOutcomes', { Action: 'Reset', Outcome: 'answered' })).toMatchObject({ sum: expect.any(Number) });
    expect(series('CommandLatency', { Action: 'Reset' })).toMatchObject({ unit: 'Milliseconds', count: expect.any(Number), p99: expect.any(Number) });
  });

  it('sends a 2.0.1 GetVariables and keeps the charger’s result', async () => {
    const cp = `CP-CMD201-${runId}`;
    const client = await connect(cp, 'ocpp2.0.1');
    client.handle('GetVariables', async ({ params }: { params?: Json }) => ({
      getVariableResult: (params?.getVariableData as Json[]).map((d) => ({ attributeStatus: 'Accepted', attributeValue: '300', component: d.component, variable: d.variable })),
    }));
    const posted = await send(cp, 'GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] });
    expect(posted.status).toBe(202);
    const done = await follow(posted.body.commandId as string);
    expect(done).toMatchObject({ status: 'answered', outcome: 'accepted', result: { getVariableResult: [{ attributeValue: '300' }] } });
  });

  it('records a rejected answer and a CALLERROR', async () => {
    const cp = `CP-CMDNO-${runId}`;
    const client = await connect(cp, 'ocpp1.6');
    client.handle('ChangeAvailability', async () => ({ status: 'Rejected' }));
    const rejected = await follow((await send(cp, 'ChangeAvailability', { connectorId: 0, type: 'Inoperative' })).body.commandId as string);
    expect(rejected).toMatchObject({ status: 'answered', outcome: 'rejected' });
    // ocpp-rpc answers an action without a handler with a CALLERROR NotImplemented.
    const failed = await follow((await send(cp, 'ClearCache', {})).body.commandId as string);
    expect(failed).toMatchObject({ status: 'failed', failure: { code: 'CallError', callError: { errorCode: 'NotImplemented' } } });
  });

  it('refuses an invalid payload or an action the version lacks, naming what failed, and queues nothing', async () => {
    const cp = `CP-CMDBAD-${runId}`;
    await connect(cp, 'ocpp1.6');
    const bad = await send(cp, 'Reset', { type: 'Warm' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors?.[0]?.pointer ?? bad.body.detail).toMatch(/\/payload\/type/);
    const unknown = await send(cp, 'GetVariables', { getVariableData: [] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail).toMatch(/GetVariables is not an action the CSMS can send in ocpp1.6/);
    expect((await api('GET', `/chargers/${cp}/commands`)).body.items).toEqual([]);
  });

  it('answers 404 for an unknown charger and 409 for one that never connected', async () => {
    expect((await send(`CP-NONE-${runId}`, 'Reset', { type: 'Soft' })).status).toBe(404);
    const cp = `CP-NEVER-${runId}`;
    await f.e.register({ chargerId: cp });
    expect((await send(cp, 'Reset', { type: 'Soft' })).status).toBe(409);
  });

  it('fails a command to a charger that is offline when its turn comes', async () => {
    const cp = `CP-CMDOFF-${runId}`;
    const client = await connect(cp, 'ocpp1.6');
    await client.close({ code: 1000 });
    await expect.poll(async () => (await f.e.deps.stores.presence.get(cp))?.connected, { timeout: 5000 }).toBe(false);
    const done = await follow((await send(cp, 'Reset', { type: 'Soft' })).body.commandId as string);
    expect(done).toMatchObject({ status: 'failed', failure: { code: 'ChargerOffline' } });
  });
});

describe('held while offline', () => {
  it('holds a command for an offline charger and sends it after its next accepted boot', async () => {
    const cp = `CP-CMDHOLD-${runId}`;
    const password = await f.e.register({ chargerId: cp });
    const first = await ocppClient({ endpoint: f.runtime.wsUrl, identity: cp, password, protocols: ['ocpp1.6'] });
    await first.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'One' });
    await first.close({ code: 1000 });
    await expect.poll(async () => (await f.e.deps.stores.presence.get(cp))?.connected, { timeout: 5000 }).toBe(false);
    const posted = await send(cp, 'Reset', { type: 'Soft' }, { whenOffline: 'hold' });
    await expect.poll(async () => (await api('GET', `/commands/${posted.body.commandId}`)).body.heldSince, { timeout: 10_000 }).toBeDefined();
    expect((await api('GET', `/commands/${posted.body.commandId}`)).body.status).toBe('queued');
    const again = await ocppClient({ endpoint: f.runtime.wsUrl, identity: cp, password, protocols: ['ocpp1.6'] });
    f.closeAfter(again);
    again.handle('Reset', async () => ({ status: 'Accepted' }));
    await again.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'One' });
    expect(await follow(posted.body.commandId as string)).toMatchObject({ status: 'answered', outcome: 'accepted' });
  });

  it('sends held commands, oldest first, when the charger connects again without booting (a 1.6 charger back from a network outage)', async () => {
    const cp = `CP-CMDHOLDRC-${runId}`;
    const password = await f.e.register({ chargerId: cp });
    const first = await f.connectRaw(cp, 'ocpp1.6', { password });
    first.ws.close(1000);
    await expect.poll(async () => (await f.e.deps.stores.presence.get(cp))?.connected, { timeout: 5000 }).toBe(false);
    const reset = await send(cp, 'Reset', { type: 'Soft' }, { whenOffline: 'hold' });
    await expect.poll(async () => (await api('GET', `/commands/${reset.body.commandId}`)).body.heldSince, { timeout: 10_000 }).toBeDefined();
    const clear = await send(cp, 'ClearCache', {}, { whenOffline: 'hold' });
    await expect.poll(async () => (await api('GET', `/commands/${clear.body.commandId}`)).body.heldSince, { timeout: 10_000 }).toBeDefined();
    expect((await f.e.deps.stores.presence.get(cp))?.heldCommandsAt).toBeDefined();

    const again = await f.connectRaw(cp, 'ocpp1.6', { password, boot: false });
    for (const [commandId, action] of [[reset.body.commandId, 'Reset'], [clear.body.commandId, 'ClearCache']]) {
      const [type, messageId, called] = await again.nextCall();
      expect([type, messageId, called]).toEqual([2, commandId, action]);
      again.ws.send(JSON.stringify([3, messageId, { status: 'Accepted' }]));
      expect(await follow(commandId as string)).toMatchObject({ status: 'answered', outcome: 'accepted' });
    }
    // Released, the mark is gone: the charger's later connections invoke nothing.
    await expect.poll(async () => (await f.e.deps.stores.presence.get(cp))?.heldCommandsAt, { timeout: 5000 }).toBeUndefined();
    expect(await f.e.deps.stores.commands.held(cp)).toEqual([]);
  });
});

describe('a connection gone without its $disconnect', () => {
  it('fails the command sent to it, marks the charger offline, and the next command is held rather than sent to it', async () => {
    const cp = `CP-CMDGONE-${runId}`;
    await f.e.register({ chargerId: cp });
    // As a lost $disconnect leaves it: the presence names a connection that no longer exists.
    await f.e.deps.stores.presence.attach({ chargerId: cp, connectionId: `gone-${runId}`, protocol: 'ocpp1.6', connectedAt: Date.now() });
    const first = await send(cp, 'Reset', { type: 'Soft' });
    expect(await follow(first.body.commandId as string)).toMatchObject({ status: 'failed', failure: { code: 'ChargerOffline' } });
    expect(await f.e.deps.stores.presence.get(cp)).toMatchObject({ connected: false });
    const held = await send(cp, 'Reset', { type: 'Soft' }, { whenOffline: 'hold' });
    await expect.poll(async () => (await api('GET', `/commands/${held.body.commandId}`)).body.heldSince, { timeout: 10_000 }).toBeDefined();
    expect((await api('GET', `/commands/${held.body.commandId}`)).body.status).toBe('queued');
  });
});

describe('one charger at a time, in order', () => {
  it('delivers three commands posted at once one at a time, in order', async () => {
    const cp = `CP-CMDSEQ-${runId}`;
    const client = await connect(cp, 'ocpp1.6');
    const seen: string[] = [];
    let inFlight = 0;
    let overlapped = false;
    client.handle('DataTransfer', async ({ params }: { params?: Json }) => {
      inFlight += 1;
      if (inFlight > 1) overlapped = true;
      seen.push(params?.messageId as string);
      await new Promise((r) => setTimeout(r, 150));
      inFlight -= 1;
      return { status: 'Accepted' };
    });
    const posted: Json[] = [];
    for (const n of ['1', '2', '3']) posted.push((await send(cp, 'DataTransfer', { vendorId: 'acme', messageId: n })).body);
    const done = await Promise.all(posted.map((p) => follow(p.commandId as string)));
    expect(done.map((d) => d.status)).toEqual(['answered', 'answered', 'answered']);
    expect(seen).toEqual(['1', '2', '3']);
    expect(overlapped).toBe(false);
  });
});

describe('answers that end a command otherwise', () => {
  it('records an invalid reply as failed, keeping what the charger sent, and does not answer it (1.6 has no CALLRESULTERROR)', async () => {
    const cp = `CP-CMDINV-${runId}`;
    const { ws, nextCall, unread } = await rawCharger(cp);
    const posted = await send(cp, 'Reset', { type: 'Hard' });
    const [type, messageId, action, payload] = await nextCall();
    expect([type, messageId, action, payload]).toEqual([2, posted.body.commandId, 'Reset', { type: 'Hard' }]);
    ws.send(JSON.stringify([3, messageId, { status: 'Maybe' }]));
    expect(await follow(posted.body.commandId as string)).toMatchObject({ status: 'failed', failure: { code: 'InvalidResponse', raw: { status: 'Maybe' } } });
    await new Promise((r) => setTimeout(r, 300));
    expect(unread()).toBe(0);
  });

  it('ends a command whose reply holds what the store cannot keep, keeping that reply as text (not in flight until its timeout)', async () => {
    const cp = `CP-CMDBIG-${runId}`;
    const { ws, nextCall } = await rawCharger(cp);
    const answer = async (action: string, payload: Json, reply: (messageId: string) => unknown[]) => {
      const posted = await send(cp, action, payload);
      const [, messageId] = await nextCall();
      ws.send(JSON.stringify(reply(messageId as string)));
      return follow(posted.body.commandId as string);
    };
    // Valid by its schema, but 1e300 W is no number DynamoDB keeps.
    const schedule = { status: 'Accepted', connectorId: 1, scheduleStart: new Date().toISOString(), chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 1e300 }] } };
    expect(await answer('GetCompositeSchedule', { connectorId: 1, duration: 60 }, (id) => [3, id, schedule])).toMatchObject({
      status: 'failed',
      failure: { code: 'InvalidResponse', detail: expect.stringContaining('/chargingSchedule/chargingSchedulePeriod/0/limit'), raw: JSON.stringify(schedule) },
    });
    expect(await answer('Reset', { type: 'Soft' }, (id) => [3, id, { status: 'Maybe', n: 1e300 }])).toMatchObject({ status: 'failed', failure: { code: 'InvalidResponse', raw: '{"status":"Maybe","n":1e+300}' } });
    expect(await answer('Reset', { type: 'Soft' }, (id) => [4, id, 'InternalError', 'oops', { n: 1e300 }])).toMatchObject({
      status: 'failed',
      failure: { code: 'CallError', callError: { errorCode: 'InternalError', errorDetails: '{"n":1e+300}' } },
    });
  });

  it('times a silent charger out, frees its slot and sends the next command', async () => {
    const cp = `CP-CMDTO-${runId}`;
    const { ws, nextCall } = await rawCharger(cp);
    const first = await send(cp, 'Reset', { type: 'Soft' }, { timeoutSeconds: 1 });
    const second = await send(cp, 'ClearCache', {});
    expect((await nextCall())[1]).toBe(first.body.commandId); // never answered
    const [, nextId, nextAction] = await nextCall();
    expect([nextId, nextAction]).toEqual([second.body.commandId, 'ClearCache']);
    expect((await api('GET', `/commands/${first.body.commandId}`)).body).toMatchObject({ status: 'timedOut' });
    ws.send(JSON.stringify([3, nextId, { status: 'Accepted' }]));
    expect(await follow(second.body.commandId as string)).toMatchObject({ status: 'answered', outcome: 'accepted' });
    // A late answer to the first changes nothing.
    ws.send(JSON.stringify([3, first.body.commandId, { status: 'Accepted' }]));
    await new Promise((r) => setTimeout(r, 300));
    expect((await api('GET', `/commands/${first.body.commandId}`)).body).toMatchObject({ status: 'timedOut' });
  });

  it('fails the command in flight at once when the charger disconnects', async () => {
    const cp = `CP-CMDDIS-${runId}`;
    const { ws, nextCall } = await rawCharger(cp);
    const posted = await send(cp, 'Reset', { type: 'Soft' }, { timeoutSeconds: 120 });
    await nextCall();
    ws.close(1000);
    await closed(ws);
    expect(await follow(posted.body.commandId as string, 10)).toMatchObject({ status: 'failed', failure: { code: 'ChargerDisconnected' } });
  });
});

describe('delivery guarantees', () => {
  it('sends no second CALL when the queue delivers a command’s message again', async () => {
    const cp = `CP-CMDDUP-${runId}`;
    const { ws, nextCall } = await rawCharger(cp);
    const posted = await send(cp, 'Reset', { type: 'Soft' });
    const [, messageId] = await nextCall();
    ws.send(JSON.stringify([3, messageId, { status: 'Accepted' }]));
    expect(await follow(posted.body.commandId as string)).toMatchObject({ status: 'answered' });
    const sqs = new SQSClient(awsClientConfig('sqs', { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_SQS: f.runtime.sqsS3Endpoint }));
    // The same reference again, past deduplication (another deduplication id), as a redelivery would bring it.
    const ref = { commandId: posted.body.commandId, chargerId: cp };
    await sqs.send(new SendMessageCommand({ QueueUrl: f.runtime.queues.Commands!.url, MessageBody: JSON.stringify(ref), MessageGroupId: cp.toLowerCase(), MessageDeduplicationId: `again-${messageId}` }));
    const marker = await send(cp, 'ClearCache', {});
    const [, nextId, nextAction] = await nextCall();
    expect([nextId, nextAction]).toEqual([marker.body.commandId, 'ClearCache']);
    sqs.destroy();
  });

  it('answers a retried POST with the same Idempotency-Key with the first command, and sends it once', async () => {
    const cp = `CP-CMDIDEM-${runId}`;
    const { nextCall } = await rawCharger(cp);
    const key = { 'Idempotency-Key': `reset-${runId}` };
    const first = await send(cp, 'Reset', { type: 'Soft' }, {}, key);
    const again = await send(cp, 'Reset', { type: 'Soft' }, {}, key);
    expect(again.status).toBe(202);
    expect(again.body.commandId).toBe(first.body.commandId);
    expect((await nextCall())[1]).toBe(first.body.commandId);
    expect((await api('GET', `/chargers/${cp}/commands`)).body.items).toHaveLength(1);
  });

  it('interleaves commands to two chargers', async () => {
    const a = await rawCharger(`CP-CMDA-${runId}`);
    const b = await rawCharger(`CP-CMDB-${runId}`);
    const toA = await send(`CP-CMDA-${runId}`, 'Reset', { type: 'Soft' }, { timeoutSeconds: 60 });
    const toB = await send(`CP-CMDB-${runId}`, 'Reset', { type: 'Soft' }, { timeoutSeconds: 60 });
    // Both CALLs are out while neither charger has answered.
    expect((await a.nextCall())[1]).toBe(toA.body.commandId);
    expect((await b.nextCall())[1]).toBe(toB.body.commandId);
  });
});

describe('who may send', () => {
  it('lets a viewer read but not send or cancel; cancels a queued command', async () => {
    const cp = `CP-CMDROLE-${runId}`;
    const { nextCall } = await rawCharger(cp);
    const viewer = (await signIn(f.runtime.userPool, `cmd-viewer-${runId}`, ['viewer'])).accessToken;
    const asViewer = await api('POST', `/chargers/${cp}/commands`, { action: 'Reset', payload: { type: 'Soft' } }, {}, viewer);
    expect(asViewer.status).toBe(403);
    const busy = await send(cp, 'Reset', { type: 'Soft' }, { timeoutSeconds: 60 });
    await nextCall();
    const queued = await send(cp, 'ClearCache', {});
    expect((await api('DELETE', `/commands/${queued.body.commandId}`, undefined, {}, viewer)).status).toBe(403);
    expect((await api('GET', `/commands/${queued.body.commandId}`, undefined, {}, viewer)).status).toBe(200);
    expect((await api('DELETE', `/commands/${queued.body.commandId}`)).status).toBe(204);
    expect((await api('GET', `/commands/${queued.body.commandId}`)).body).toMatchObject({ status: 'cancelled', cancelledBy: `cmd-admin-${runId}` });
    const sent = await api('DELETE', `/commands/${busy.body.commandId}`);
    expect(sent.status).toBe(409);
  });
});
