/**
 * `POST /chargers/{id}/password` end to end against a started local runtime: a charger that has spoken OCPP gets its
 * new password by command (1.6 ChangeConfiguration AuthorizationKey, 2.0.1 SetVariables BasicAuthPassword), keeps
 * working on the old one until it connects with the new one, and is then refused the old one; a refused change
 * leaves the old one alone; `revoke=true`, or a charger that never connected, replaces the password at once.
 */
import { randomUUID } from 'node:crypto';
import type { RPCClient } from 'ocpp-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../bin/local/runtime.ts';
import { commands } from '../../bin/cli/commands.ts';
import { sqsCommandQueue } from '#shared/store/command-queues.ts';
import { operatorApi, type Json } from '../support/command-e2e.ts';
import { runId, startE2e, type E2e } from '../support/e2e.ts';
import { signIn } from '../support/operator-tokens.ts';

let e: E2e;
let runtime: LocalRuntime;
let admin = '';
let operator = '';
const clients: RPCClient[] = [];

const { api, follow } = operatorApi(() => runtime, () => admin);
const changePassword = (chargerId: string, query = '', as = admin) => api('POST', `/chargers/${encodeURIComponent(chargerId)}/password${query}`, undefined, {}, as);

type Protocol = 'ocpp1.6' | 'ocpp2.0.1';
const BOOT: Record<Protocol, Json> = {
  'ocpp1.6': { chargePointVendor: 'Acme', chargePointModel: 'One' },
  'ocpp2.0.1': { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'Two' } },
};

/**
 * A charger connected with `password` and booted, answering a password change with `answer` and keeping the
 * passwords it was sent in `received`.
 */
const charger = async (chargerId: string, password: string, protocol: Protocol, answer: 'Accepted' | 'Rejected', received: string[]) => {
  const client = await e.client(chargerId, password, [protocol]);
  clients.push(client);
  client.handle('ChangeConfiguration', async ({ params }: { params?: Json }) => {
    if (params?.key === 'AuthorizationKey') received.push(params.value as string);
    return { status: answer };
  });
  client.handle('SetVariables', async ({ params }: { params?: Json }) => ({
    setVariableResult: (params?.setVariableData as Json[]).map((d) => {
      received.push(d.attributeValue as string);
      return { attributeStatus: answer, component: d.component, variable: d.variable };
    }),
  }));
  expect(await client.call('BootNotification', BOOT[protocol])).toMatchObject({ status: 'Accepted' });
  return client;
};

/** Whether a connection with this password is admitted (the authorizer refuses the upgrade otherwise). */
const admits = async (chargerId: string, password: string | Buffer, protocol: Protocol): Promise<boolean> => {
  try {
    const client = await e.client(chargerId, password, [protocol]);
    await client.close({ force: true });
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  e = await startE2e();
  runtime = e.runtime as LocalRuntime;
  admin = (await signIn(runtime.userPool, `pw-admin-${runId}`, ['admin'])).accessToken;
  operator = (await signIn(runtime.userPool, `pw-operator-${runId}`, ['operator'])).accessToken;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close({ force: true })));
  await e?.runtime.stop();
});

describe('a new password for a charger in service', () => {
  it.each<Protocol>(['ocpp1.6', 'ocpp2.0.1'])('%s: goes by command; the old one works until the charger connects with the new one', async (protocol) => {
    const cp = `CP-PW-${protocol.replace(/\W/g, '')}-${runId}`;
    const old = await e.register({ chargerId: cp });
    const received: string[] = [];
    const client = await charger(cp, old, protocol, 'Accepted', received);

    expect((await changePassword(cp, '', operator)).status).toBe(403);
    const res = await changePassword(cp);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ chargerId: cp, changedBy: 'command', command: { action: protocol === 'ocpp1.6' ? 'ChangeConfiguration' : 'SetVariables' } });
    expect(res.location).toBe(`/commands/${res.body.command.commandId}`);
    const password = res.body.password as string;
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    // The command as stored and shown never carries the password.
    expect(JSON.stringify(res.body.command)).not.toContain(password);

    const done = await follow(res.body.command.commandId);
    expect(done).toMatchObject({ status: 'answered', outcome: 'accepted' });
    expect(JSON.stringify(done)).not.toContain(password);
    // 1.6: AuthorizationKey holds the password as hex digits (security whitepaper), at most 40 of them.
    const sent = protocol === 'ocpp1.6' ? Buffer.from(password).toString('hex') : password;
    expect(received).toEqual([sent]);
    expect(JSON.stringify(done)).not.toContain(sent);

    // Until the charger uses the new password, both work: the old one may still be all it has.
    await client.close({ force: true });
    expect(await admits(cp, old, protocol)).toBe(true);
    expect(await admits(cp, password, protocol)).toBe(true);
    // Connecting with the new one made it the only one.
    expect(await admits(cp, old, protocol)).toBe(false);
    expect(await admits(cp, password, protocol)).toBe(true);
    // Firmware that sends the AuthorizationKey's digits themselves is let in too (tolerated, logged).
    if (protocol === 'ocpp1.6') expect(await admits(cp, sent, protocol)).toBe(true);
  });

  it('leaves the old password alone when the charger refuses the new one', async () => {
    const cp = `CP-PW-REFUSED-${runId}`;
    const old = await e.register({ chargerId: cp });
    const received: string[] = [];
    const client = await charger(cp, old, 'ocpp1.6', 'Rejected', received);
    const res = await changePassword(cp);
    expect(res.status).toBe(202);
    expect(await follow(res.body.command.commandId)).toMatchObject({ status: 'answered', outcome: 'rejected' });
    expect(received).toEqual([Buffer.from(res.body.password as string).toString('hex')]);
    await client.close({ force: true });
    expect(await admits(cp, res.body.password as string, 'ocpp1.6')).toBe(false);
    expect(await admits(cp, old, 'ocpp1.6')).toBe(true);
  });

  it('holds the change for a charger that is offline and sends it after its next boot', async () => {
    const cp = `CP-PW-HELD-${runId}`;
    const old = await e.register({ chargerId: cp });
    const received: string[] = [];
    await (await charger(cp, old, 'ocpp2.0.1', 'Accepted', received)).close({ force: true });
    await expect.poll(async () => (await api('GET', `/chargers/${cp}`)).body.presence?.connected).toBe(false);

    const res = await changePassword(cp);
    expect(res.status).toBe(202);
    const commandId = res.body.command.commandId as string;
    await expect.poll(async () => (await follow(commandId, 0)).heldSince).toBeDefined();
    // Back on the old password (still its only one), it boots and is sent the new one.
    await charger(cp, old, 'ocpp2.0.1', 'Accepted', received);
    expect(await follow(commandId)).toMatchObject({ status: 'answered', outcome: 'accepted' });
    expect(received).toEqual([res.body.password]);
    expect(await admits(cp, res.body.password as string, 'ocpp2.0.1')).toBe(true);
    expect(await admits(cp, old, 'ocpp2.0.1')).toBe(false);
  });
});

describe('a password chosen by command', () => {
  // The charger's credentials are the admin's (README, "Chargers and locations"): an operator or a machine client that
  // could set a password it chose could connect as the charger.
  it.each<[Protocol, string, Json]>([
    ['ocpp1.6', 'ChangeConfiguration', { key: 'AuthorizationKey', value: 'an-operator-chosen-pw-1' }],
    ['ocpp1.6', 'ChangeConfiguration', { key: 'authorizationkey', value: 'an-operator-chosen-pw-1' }],
    ['ocpp2.0.1', 'SetVariables', { setVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue: 'an-operator-chosen-pw-1' }] }],
  ])('%s %s %j: an operator gets 403, and the charger is sent nothing', async (protocol, action, payload) => {
    const cp = `CP-PW-OP-${randomUUID().slice(0, 8)}-${runId}`;
    const received: string[] = [];
    await charger(cp, await e.register({ chargerId: cp }), protocol, 'Accepted', received);
    const res = await api('POST', `/chargers/${cp}/commands`, { action, payload }, {}, operator);
    expect(res.status).toBe(403);
    expect(received).toEqual([]);
  });

  it.each([
    ['text', Buffer.from('admin-chosen-pw-0001').toString('hex')],
    // The whitepaper advises random binary keys (`openssl rand -hex 20`): bytes that are no text.
    ['binary', '00ff'.repeat(10)],
  ])('1.6: an AuthorizationKey of hex digits standing for %s sets the password they stand for', async (kind, key) => {
    const cp = `CP-PW-HEX-${kind}-${runId}`;
    const old = await e.register({ chargerId: cp });
    const received: string[] = [];
    const client = await charger(cp, old, 'ocpp1.6', 'Accepted', received);
    const res = await api('POST', `/chargers/${cp}/commands`, { action: 'ChangeConfiguration', payload: { key: 'AuthorizationKey', value: key } });
    expect(res.status).toBe(202);
    expect(await follow(res.body.commandId as string)).toMatchObject({ status: 'answered', outcome: 'accepted' });
    expect(received).toEqual([key]);
    await client.close({ force: true });
    // A conformant charger sends the bytes the digits stand for.
    expect(await admits(cp, Buffer.from(key, 'hex'), 'ocpp1.6')).toBe(true);
  });

  it('a key in another case (1.6 keys are CiString) still becomes the next password', async () => {
    const cp = `CP-PW-CASE-${runId}`;
    const old = await e.register({ chargerId: cp });
    const received: string[] = [];
    const client = await charger(cp, old, 'ocpp1.6', 'Accepted', received);
    const chosen = 'an-admin-chosen-password-1';
    const res = await api('POST', `/chargers/${cp}/commands`, { action: 'ChangeConfiguration', payload: { key: 'authorizationKey', value: chosen } });
    expect(res.status).toBe(202);
    expect(await follow(res.body.commandId as string)).toMatchObject({ status: 'answered', outcome: 'accepted' });
    await client.close({ force: true });
    expect(await admits(cp, chosen, 'ocpp1.6')).toBe(true);
  });
});

describe('a password replaced at once', () => {
  it('revoke=true voids the old password now and closes the live connection', async () => {
    const cp = `CP-PW-REVOKE-${runId}`;
    const old = await e.register({ chargerId: cp });
    const received: string[] = [];
    const client = await charger(cp, old, 'ocpp1.6', 'Accepted', received);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const res = await changePassword(cp, '?revoke=true');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ chargerId: cp, changedBy: 'replacement' });
    expect(res.body.closedConnectionId).toEqual(expect.any(String));
    await closed;
    expect(received).toEqual([]);
    expect(await admits(cp, old, 'ocpp1.6')).toBe(false);
    expect(await admits(cp, res.body.password as string, 'ocpp1.6')).toBe(true);
  });

  it('replaces the password of a charger that never connected, and answers 404 for an unknown one', async () => {
    const cp = `CP-PW-NEW-${runId}`;
    const old = await e.register({ chargerId: cp });
    const res = await changePassword(cp);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ chargerId: cp, changedBy: 'replacement' });
    expect(res.body).not.toHaveProperty('command');
    expect(await admits(cp, old, 'ocpp1.6')).toBe(false);
    expect(await admits(cp, res.body.password as string, 'ocpp1.6')).toBe(true);
    expect((await changePassword(`CP-PW-NONE-${runId}`)).status).toBe(404);
  });
});

describe('the CLI', () => {
  it('sends the password by command through the runtime\u2019s queue; without one, only --revoke can change it', async () => {
    const cp = `CP-PW-CLI-${runId}`;
    const old = await e.register({ chargerId: cp });
    const received: string[] = [];
    const client = await charger(cp, old, 'ocpp1.6', 'Accepted', received);
    const password = commands.charger!.password!;

    await expect(password(e.deps, [cp], {}, {})).rejects.toThrow(/no command queue.*--revoke/);
    const sent = await password(e.deps, [cp], {}, { commandQueue: sqsCommandQueue({ ...process.env, ...runtime.env }) });
    const commandId = (sent.result as Json).commandId as string;
    expect(await follow(commandId)).toMatchObject({ status: 'answered', outcome: 'accepted' });
    // The charger is sent the AuthorizationKey (hex digits); the note shows the password they stand for.
    const given = Buffer.from(received[0]!, 'hex').toString();
    expect(sent.note).toContain(given);
    await client.close({ force: true });

    const revoked = await password(e.deps, [cp], { revoke: true }, {});
    const [, fresh, key] = /shown once\): (\S+) \(as a 1\.6 AuthorizationKey: ([0-9a-f]+)\)/.exec(revoked.note ?? '') ?? [];
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(key).toBe(Buffer.from(fresh!).toString('hex'));
    expect(await admits(cp, given, 'ocpp1.6')).toBe(false);
    expect(await admits(cp, fresh!, 'ocpp1.6')).toBe(true);
  });
});
