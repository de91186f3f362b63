/**
 * Concurrent use of one id token (issue 11) through the real $default handler on DynamoDB Local, for OCPP 1.6 and
 * 2.0.1 alike: ConcurrentTx only in the answer to a start, refused starts lock nothing, simultaneous starts on two
 * chargers get one acceptance, stale transactions never block, the limit per token; and a 2.x EVSE named without a
 * connector.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCharger } from '#shared/charger/registry.ts';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import { capacitySnapshot } from '#shared/store/capacity-meter.ts';
import { createIdToken } from '#shared/token/id-tokens.ts';
import { startHarness, type Harness } from '../../support/handler-harness.ts';
import { startedPayload } from '../../support/transaction-events.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ CSMS_CAPACITY_METER: 'on' });
});
afterAll(async () => h?.close());

const connect = (chargerId: string, protocol: OcppProtocol) =>
  h.deps.stores.presence.attach({ chargerId, connectionId: `conn-${chargerId}`, protocol, connectedAt: Date.now() });


let sequence = 0;
interface Started {
  status: string;
  transactionId: string;
}

/** One version's words for a start, a stop and an Authorize. */
const speaking = (protocol: OcppProtocol) => {
  const v16 = protocol === 'ocpp1.6';
  return {
    async start(chargerId: string, idToken: string, connector = 1): Promise<Started> {
      const n = ++sequence;
      if (v16) {
        const start = { connectorId: connector, idTag: idToken, meterStart: n, timestamp: new Date().toISOString() };
        const reply = (await h.call(chargerId, protocol, 'StartTransaction', start))[2] as {
          transactionId: number;
          idTagInfo: { status: string };
        };
        return { status: reply.idTagInfo.status, transactionId: String(reply.transactionId) };
      }
      const transactionId = `TX-${n}`;
      const reply = (await h.call(chargerId, protocol, 'TransactionEvent', startedPayload(transactionId, idToken, connector)))[2] as { idTokenInfo: { status: string } };
      return { status: reply.idTokenInfo.status, transactionId };
    },
    async stop(chargerId: string, transactionId: string): Promise<void> {
      const timestamp = new Date(Date.now() + 1_000).toISOString();
      const reply = v16
        ? await h.call(chargerId, protocol, 'StopTransaction', { transactionId: Number(transactionId), meterStop: 10_000, timestamp })
        : await h.call(chargerId, protocol, 'TransactionEvent', {
            eventType: 'Ended',
            seqNo: 1,
            timestamp,
            triggerReason: 'EVDeparted',
            transactionInfo: { transactionId, stoppedReason: 'EVDisconnected' },
          });
      expect(reply[0]).toBe(3);
    },
    async authorize(chargerId: string, idToken: string): Promise<string> {
      const reply = (await h.call(chargerId, protocol, 'Authorize', v16 ? { idTag: idToken } : { idToken: { idToken, type: 'ISO14443' } }))[2] as {
        idTagInfo?: { status: string };
        idTokenInfo?: { status: string };
      };
      return (reply.idTagInfo ?? reply.idTokenInfo)!.status;
    },
  };
};

describe.each(['ocpp1.6', 'ocpp2.0.1'] as const)('concurrent use of one token, %s', (protocol) => {
  const say = speaking(protocol);
  const cp = (name: string) => `CP-${protocol}-${name}`;
  const card = (name: string) => `${protocol === 'ocpp1.6' ? '16' : '2'}-${name}`;
  /** Registered and connected chargers. */
  const chargers = async (...names: string[]) => {
    for (const name of names) {
      await createCharger(h.deps, { chargerId: cp(name) });
      await connect(cp(name), protocol);
    }
  };

  it('answers Authorize Accepted while the card is in use elsewhere, and a start there ConcurrentTx, recorded as refused', async () => {
    await chargers('A1', 'B1');
    await createIdToken(h.deps, { value: card('AUTH') });
    expect((await say.start(cp('A1'), card('AUTH'))).status).toBe('Accepted');
    expect(await say.authorize(cp('B1'), card('AUTH'))).toBe('Accepted');
    const refused = await say.start(cp('B1'), card('AUTH'));
    expect(refused.status).toBe('ConcurrentTx');
    expect(await h.deps.stores.transactions.get(cp('B1'), refused.transactionId)).toMatchObject({ status: 'active', authorization: 'ConcurrentTx' });
  });

  it('takes a card presented in another case for the same card: found, one use, one transaction history', async () => {
    await chargers('A9', 'B9');
    // Registered in lower case; readers send it in whatever case their firmware chose (OCPP: case-insensitive).
    const registered = card('case-a9').toLowerCase();
    await createIdToken(h.deps, { value: registered });
    const first = await say.start(cp('A9'), registered.toUpperCase());
    expect(first.status).toBe('Accepted');
    expect(await say.authorize(cp('B9'), registered)).toBe('Accepted');
    expect((await say.start(cp('B9'), registered)).status).toBe('ConcurrentTx');
    const history = await h.deps.stores.transactions.list({ idToken: registered });
    expect(history.items.map((t) => [t.chargerId, t.idToken]).sort()).toEqual([
      [cp('A9'), registered.toUpperCase()],
      [cp('B9'), registered],
    ]);
  });

  it('lets a refused start that its charger never stops lock nothing', async () => {
    await chargers('A2', 'B2', 'C2');
    await createIdToken(h.deps, { value: card('REFUSED') });
    const holder = await say.start(cp('A2'), card('REFUSED'));
    expect((await say.start(cp('B2'), card('REFUSED'))).status).toBe('ConcurrentTx');
    await say.stop(cp('A2'), holder.transactionId);
    // B2's refused transaction stays active on a connected charger: it holds nothing.
    expect((await say.start(cp('C2'), card('REFUSED'))).status).toBe('Accepted');
  });

  it('accepts exactly one of two starts sent at the same moment on two chargers', async () => {
    await chargers('A3', 'B3');
    await createIdToken(h.deps, { value: card('RACE') });
    const [a, b] = await Promise.all([say.start(cp('A3'), card('RACE')), say.start(cp('B3'), card('RACE'))]);
    expect([a.status, b.status].sort()).toEqual(['Accepted', 'ConcurrentTx']);
  });

  it('does not let a transaction on a charger gone offline block the card', async () => {
    await chargers('A4', 'B4');
    await createIdToken(h.deps, { value: card('STALE') });
    expect((await say.start(cp('A4'), card('STALE'))).status).toBe('Accepted');
    await h.deps.stores.presence.detach(cp('A4'), `conn-${cp('A4')}`);
    expect((await say.start(cp('B4'), card('STALE'))).status).toBe('Accepted');
  });

  it('refuses a third start with a limit of 2, and never one on the charger that holds the card', async () => {
    await chargers('A5', 'B5', 'C5');
    await createIdToken(h.deps, { value: card('TWO'), maxConcurrentTransactions: 2 });
    expect((await say.start(cp('A5'), card('TWO'))).status).toBe('Accepted');
    expect((await say.start(cp('B5'), card('TWO'))).status).toBe('Accepted');
    expect((await say.start(cp('C5'), card('TWO'))).status).toBe('ConcurrentTx');
    // On A5's other connector: A5 knows what it runs.
    expect((await say.start(cp('A5'), card('TWO'), 2)).status).toBe('Accepted');
  });

  it('claims a card nobody holds without a round trip or a request more than before', async () => {
    await chargers('A6');
    await createIdToken(h.deps, { value: card('COST') });
    const before = capacitySnapshot().requests;
    expect((await say.start(cp('A6'), card('COST'))).status).toBe('Accepted');
    // docs/data-model.md, "What each message costs": 6 each (the claim replaced the token use's put), plus the read
    // of the registration the harness's authorizer context leaves out.
    expect(capacitySnapshot().requests - before).toBe(7);
  });
});

describe('a 2.x Started sent again (the charger missed our answer)', () => {
  it('gets the answer it got the first time, and holds the card only if it did then', async () => {
    for (const chargerId of ['CP-AGAIN-A', 'CP-AGAIN-B']) {
      await createCharger(h.deps, { chargerId });
      await connect(chargerId, 'ocpp2.0.1');
    }
    await createIdToken(h.deps, { value: 'CARD-AGAIN' });
    const say = speaking('ocpp2.0.1');
    const holder = await say.start('CP-AGAIN-A', 'CARD-AGAIN');
    const started = startedPayload('TX-AGAIN', 'CARD-AGAIN');
    expect((await h.call('CP-AGAIN-B', 'ocpp2.0.1', 'TransactionEvent', started))[2]).toMatchObject({ idTokenInfo: { status: 'ConcurrentTx' } });
    await say.stop('CP-AGAIN-A', holder.transactionId);
    expect((await h.call('CP-AGAIN-B', 'ocpp2.0.1', 'TransactionEvent', started))[2]).toMatchObject({ idTokenInfo: { status: 'ConcurrentTx' } });
    expect((await h.deps.stores.tokenUses.read('CARD-AGAIN')).uses).toEqual([]);
  });
});

describe('a transaction with no event within the live window', () => {
  it('does not block its card on another charger, though its charger is connected', async () => {
    for (const chargerId of ['CP-QUIET', 'CP-BUSY']) {
      await createCharger(h.deps, { chargerId });
      await connect(chargerId, 'ocpp2.0.1');
    }
    await createIdToken(h.deps, { value: 'CARD-QUIET' });
    // A session that started six hours ago and has sent nothing since (as the store holds it then).
    const sixHoursAgo = new Date(Date.now() - 6 * 60 * 60_000).toISOString();
    const quiet = { chargerId: 'CP-QUIET', transactionId: 'TX-QUIET', protocol: 'ocpp2.0.1' as const, idTokenType: 'ISO14443', since: sixHoursAgo };
    await h.deps.stores.transactions.putIfVersion({
      ...quiet,
      status: 'active',
      idToken: 'CARD-QUIET',
      authorization: 'Accepted',
      receivedAt: sixHoursAgo,
      startedAt: sixHoursAgo,
      firstEventAt: sixHoursAgo,
      version: 1,
      updatedAt: sixHoursAgo,
    });
    await h.deps.stores.tokenUses.claimFirst('CARD-QUIET', quiet);
    const reply = await h.call('CP-BUSY', 'ocpp2.0.1', 'TransactionEvent', startedPayload('TX-BUSY', 'CARD-QUIET'));
    expect(reply[2]).toMatchObject({ idTokenInfo: { status: 'Accepted' } });
  });
});

describe('a 2.x TransactionEvent naming an EVSE without a connector', () => {
  const started = (transactionId: string, evseId: number) => ({
    eventType: 'Started',
    seqNo: 0,
    timestamp: new Date().toISOString(),
    triggerReason: 'CablePluggedIn',
    transactionInfo: { transactionId },
    evse: { id: evseId },
  });

  it("is recorded against the EVSE's only known connector, else the EVSE as a whole (connector 0), never an invented 1", async () => {
    const chargerId = 'CP-EVSE-ONLY';
    await createCharger(h.deps, { chargerId });
    await h.call(chargerId, 'ocpp2.0.1', 'StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId: 1, connectorId: 2 });
    await h.call(chargerId, 'ocpp2.0.1', 'TransactionEvent', started('TX-ONE-CONNECTOR', 1));
    expect(await h.deps.stores.transactions.get(chargerId, 'TX-ONE-CONNECTOR')).toMatchObject({ evseId: 1, connectorId: 2 });
    await h.call(chargerId, 'ocpp2.0.1', 'TransactionEvent', started('TX-UNKNOWN-EVSE', 3));
    expect(await h.deps.stores.transactions.get(chargerId, 'TX-UNKNOWN-EVSE')).toMatchObject({ evseId: 3, connectorId: 0 });
    const connectors = await h.deps.stores.connectors.list(chargerId);
    expect(connectors.map((c) => [c.evseId, c.connectorId, c.activeTransactionId])).toEqual([
      [1, 2, 'TX-ONE-CONNECTOR'],
      [3, 0, 'TX-UNKNOWN-EVSE'],
    ]);
  });
});
