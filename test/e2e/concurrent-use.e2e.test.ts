/**
 * Concurrent use of one card (issue 11) against a started local runtime, with strict ocpp-rpc chargers of OCPP 1.6
 * and 2.0.1 and an operator on the REST API: Authorize is never ConcurrentTx, a refused start locks nothing, two starts
 * at the same moment get one acceptance, a transaction on a charger gone offline neither blocks the card nor is lost
 * from sight (GET /transactions?state=stale), an operator closes it, and a token's limit is set through the API.
 */
import type { RPCClient } from 'ocpp-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../bin/local/runtime.ts';
import { bootedCharger, runId, startE2e, type E2e } from '../support/e2e.ts';
import { signIn } from '../support/operator-tokens.ts';

let e: E2e;
let runtime: LocalRuntime;
let token = '';
const clients: RPCClient[] = [];

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${runtime.restUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} }; // tests read any answer
};

beforeAll(async () => {
  e = await startE2e();
  runtime = e.runtime as LocalRuntime;
  token = (await signIn(runtime.userPool, `olga-${runId}`, ['operator'])).accessToken;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close({ force: true })));
  await e?.runtime.stop();
});

type Protocol = 'ocpp1.6' | 'ocpp2.0.1';
let sequence = 0;

/** A booted charger of one version, and its starts, stops and Authorize in that version's words. */
const charger = async (name: string, protocol: Protocol) => {
  const chargerId = `CP-CU-${protocol === 'ocpp1.6' ? '16' : '2'}-${name}-${runId}`;
  const client = await bootedCharger(e, chargerId, protocol);
  clients.push(client);
  const v16 = protocol === 'ocpp1.6';
  return {
    chargerId,
    client,
    async start(card: string, connector = 1): Promise<{ status: string; transactionId: string }> {
      const n = ++sequence;
      const timestamp = new Date().toISOString();
      if (v16) {
        const a = (await client.call('StartTransaction', { connectorId: connector, idTag: card, meterStart: n, timestamp })) as { transactionId: number; idTagInfo: { status: string } };
        return { status: a.idTagInfo.status, transactionId: String(a.transactionId) };
      }
      const transactionId = `TX-${runId}-${n}`;
      const a = (await client.call('TransactionEvent', {
        eventType: 'Started',
        seqNo: 0,
        timestamp,
        triggerReason: 'Authorized',
        transactionInfo: { transactionId },
        idToken: { idToken: card, type: 'ISO14443' },
        evse: { id: connector, connectorId: 1 },
      })) as { idTokenInfo: { status: string } };
      return { status: a.idTokenInfo.status, transactionId };
    },
    async stop(transactionId: string) {
      const timestamp = new Date(Date.now() + 1_000).toISOString();
      if (v16) await client.call('StopTransaction', { transactionId: Number(transactionId), meterStop: 9_000, timestamp });
      else
        await client.call('TransactionEvent', {
          eventType: 'Ended',
          seqNo: 1,
          timestamp,
          triggerReason: 'EVDeparted',
          transactionInfo: { transactionId, stoppedReason: 'EVDisconnected' },
        });
    },
    async authorize(card: string): Promise<string> {
      const a = (await client.call('Authorize', v16 ? { idTag: card } : { idToken: { idToken: card, type: 'ISO14443' } })) as { idTagInfo?: { status: string }; idTokenInfo?: { status: string } };
      return (a.idTagInfo ?? a.idTokenInfo)!.status;
    },
  };
};

/** A new card (1.6 idTags are at most 20 characters). */
const card = async (protocol: Protocol, name: string, extra: Record<string, unknown> = {}) => {
  const value = `${protocol === 'ocpp1.6' ? '16' : '2'}${name}-${runId}`;
  expect((await api('POST', '/id-tokens', { type: 'ISO14443', value, ...extra })).status).toBe(201);
  return value;
};

/** Until $disconnect has run for the charger (it is asynchronous to the client's close). */
const offline = async (chargerId: string) => {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await api('GET', `/chargers/${chargerId}`)).body.presence?.connected === false) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${chargerId} still shows connected`);
};

describe.each(['ocpp1.6', 'ocpp2.0.1'] as const)('one card on several chargers, %s', (protocol) => {
  it('answers Authorize Accepted and a start ConcurrentTx while the card charges elsewhere; the refused start locks nothing', async () => {
    const [a, b, c] = [await charger('A', protocol), await charger('B', protocol), await charger('C', protocol)];
    const value = await card(protocol, 'ONE');
    const held = await a.start(value);
    expect(held.status).toBe('Accepted');
    expect(await b.authorize(value)).toBe('Accepted');
    const refused = await b.start(value);
    expect(refused.status).toBe('ConcurrentTx');
    expect((await api('GET', `/transactions/${b.chargerId}/${refused.transactionId}`)).body).toMatchObject({ status: 'active', authorization: 'ConcurrentTx' });
    await a.stop(held.transactionId);
    // B never stops its refused start; C may use the card.
    expect((await c.start(value)).status).toBe('Accepted');
  });

  it('accepts exactly one of two starts at the same moment on two chargers', async () => {
    const [a, b] = [await charger('RA', protocol), await charger('RB', protocol)];
    const value = await card(protocol, 'RACE');
    const answers = await Promise.all([a.start(value), b.start(value)]);
    expect(answers.map((x) => x.status).sort()).toEqual(['Accepted', 'ConcurrentTx']);
  });

  it('blocks the card with one live transaction elsewhere at the limit of 1, not at 2 (set through the API)', async () => {
    const [a, b, c] = [await charger('LA', protocol), await charger('LB', protocol), await charger('LC', protocol)];
    const value = await card(protocol, 'LIMIT');
    expect((await a.start(value)).status).toBe('Accepted');
    expect((await b.start(value)).status).toBe('ConcurrentTx');
    // The charger is still connected and its transaction live: raise the limit to 2.
    const read = await fetch(`${runtime.restUrl}/id-tokens/ISO14443/${value}`, { headers: { Authorization: `Bearer ${token}` } });
    const changed = await fetch(`${runtime.restUrl}/id-tokens/ISO14443/${value}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'If-Match': read.headers.get('etag')! },
      body: JSON.stringify({ maxConcurrentTransactions: 2 }),
    });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as { maxConcurrentTransactions: number }).maxConcurrentTransactions).toBe(2);
    expect((await c.start(value)).status).toBe('Accepted');
  });

  it('lets a transaction on a charger gone offline neither block the card nor vanish: listed stale, closed by an operator', async () => {
    const [a, b] = [await charger('SA', protocol), await charger('SB', protocol)];
    const value = await card(protocol, 'STALE');
    const lost = await a.start(value);
    expect(lost.status).toBe('Accepted');
    await a.client.close({ force: true });
    await offline(a.chargerId);
    expect((await b.start(value)).status).toBe('Accepted');

    const stale = await api('GET', '/transactions?state=stale&limit=500');
    const listed = stale.body.items.find((t: { transactionId: string }) => t.transactionId === lost.transactionId);
    expect(listed).toMatchObject({ chargerId: a.chargerId, status: 'active', stale: { reason: 'charger-offline' } });

    const closed = await api('POST', `/transactions/${a.chargerId}/${lost.transactionId}/close`, { reason: 'charger replaced' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'ended', closedByCsms: { by: `olga-${runId}`, reason: 'charger replaced' } });
    expect((await api('POST', `/transactions/${a.chargerId}/${lost.transactionId}/close`, { reason: 'again' })).status).toBe(409);
  });
});
