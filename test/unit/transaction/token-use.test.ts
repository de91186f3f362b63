/**
 * The concurrent-use policy as pure functions: token state × the transactions holding it × what is known of their
 * chargers × the limit → whether a start may hold the token too.
 */
import { describe, expect, it } from 'vitest';
import type { IdTokenRecord } from '#shared/token/id-tokens.ts';
import {
  classifyUse,
  concurrencyLimit,
  IN_FLIGHT_MS,
  mayHold,
  needsReadings,
  usesToCheck,
  type StartingOn,
  type TokenUse,
  type UseFacts,
} from '#shared/transaction/token-use.ts';
import type { TransactionRecord } from '#shared/transaction/transaction.ts';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const WINDOW = 4 * 60 * 60_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const start: StartingOn = { chargerId: 'CP-HERE', tokenType: 'ISO14443', now: NOW, liveWindowMs: WINDOW };
const use = (o: Partial<TokenUse> = {}): TokenUse => ({ chargerId: 'CP-THERE', transactionId: 'TX-1', protocol: 'ocpp2.0.1', idTokenType: 'ISO14443', since: ago(10 * MINUTE), ...o });
const tx = (o: Partial<TransactionRecord> = {}): TransactionRecord => ({
  chargerId: 'CP-THERE',
  transactionId: 'TX-1',
  protocol: 'ocpp2.0.1',
  status: 'active',
  idToken: 'CARD',
  idTokenType: 'ISO14443',
  authorization: 'Accepted',
  receivedAt: ago(10 * MINUTE),
  startedAt: ago(10 * MINUTE),
  firstEventAt: ago(10 * MINUTE),
  version: 3,
  updatedAt: ago(MINUTE),
  ...o,
});
const live: UseFacts = { transaction: tx(), connected: true };
const token = (o: Partial<IdTokenRecord> = {}): IdTokenRecord => ({ value: 'CARD', tokenType: 'ISO14443', blocked: false, createdAt: ago(HOUR), ...o });

describe('which transactions holding a token count against a start of it', () => {
  it('counts a transaction on another connected charger with a recent event', () => {
    expect(classifyUse(use(), live, start)).toEqual({ state: 'live', lastEventAt: ago(MINUTE) });
  });

  it('never counts one on the starting charger, whatever its state', () => {
    expect(classifyUse(use({ chargerId: 'CP-HERE' }), live, start)).toEqual({ state: 'same-charger' });
    expect(usesToCheck([use({ chargerId: 'CP-HERE' }), use()], start)).toEqual([use()]);
  });

  it('never counts a 2.x use of another token type; a 1.6 use (no type) counts for every type', () => {
    expect(classifyUse(use({ idTokenType: 'eMAID' }), live, start)).toEqual({ state: 'other-type' });
    const { idTokenType: _none, ...v16 } = use({ protocol: 'ocpp1.6' });
    expect(classifyUse(v16, { ...live, transaction: tx({ protocol: 'ocpp1.6', idTokenType: undefined }) }, start).state).toBe('live');
  });

  it('skips a stale one: its charger is offline, or nothing of it arrived within the window', () => {
    expect(classifyUse(use(), { ...live, connected: false }, start)).toMatchObject({ state: 'stale', reason: 'charger-offline' });
    const quiet = tx({ receivedAt: ago(6 * HOUR), startedAt: ago(6 * HOUR), updatedAt: ago(5 * HOUR) });
    expect(classifyUse(use({ since: ago(6 * HOUR) }), { transaction: quiet, connected: true }, start)).toEqual({
      state: 'stale',
      reason: 'no-recent-event',
      lastEventAt: ago(5 * HOUR),
    });
  });

  it('keeps a long 1.6 session live by its newest meter reading, which its record does not show', () => {
    const old = { protocol: 'ocpp1.6' as const, receivedAt: ago(6 * HOUR), startedAt: ago(6 * HOUR), updatedAt: ago(6 * HOUR) };
    const v16 = use({ protocol: 'ocpp1.6', since: ago(6 * HOUR) });
    expect(needsReadings(v16, NOW, WINDOW)).toBe(true);
    expect(needsReadings(use({ protocol: 'ocpp1.6' }), NOW, WINDOW)).toBe(false);
    expect(needsReadings(use({ since: ago(6 * HOUR) }), NOW, WINDOW)).toBe(false);
    expect(classifyUse(v16, { transaction: tx(old), connected: true, latestReadingAt: ago(2 * MINUTE) }, start).state).toBe('live');
    expect(classifyUse(v16, { transaction: tx(old), connected: true }, start).state).toBe('stale');
  });

  it('drops one that holds nothing: ended, refused at its start, or never written past the in-flight time', () => {
    expect(classifyUse(use(), { ...live, transaction: tx({ status: 'ended' }) }, start)).toEqual({ state: 'gone' });
    expect(classifyUse(use(), { ...live, transaction: tx({ authorization: 'ConcurrentTx' }) }, start)).toEqual({ state: 'gone' });
    expect(classifyUse(use({ since: ago(IN_FLIGHT_MS + MINUTE) }), { connected: true }, start)).toEqual({ state: 'gone' });
  });

  it('counts a start still on its way (claimed, not written yet) while its charger is connected', () => {
    expect(classifyUse(use({ since: ago(2_000) }), { connected: true }, start)).toEqual({ state: 'live', lastEventAt: ago(2_000) });
    expect(classifyUse(use({ since: ago(2_000) }), { connected: false }, start)).toMatchObject({ state: 'stale', reason: 'charger-offline' });
  });
});

describe('whether a start may hold the token', () => {
  const liveOne = { state: 'live', lastEventAt: ago(MINUTE) } as const;
  const stale = { state: 'stale', reason: 'charger-offline', lastEventAt: ago(MINUTE) } as const;

  it('takes the limit from the token: 1 by default, a number, or unlimited', () => {
    expect(concurrencyLimit(token())).toBe(1);
    expect(concurrencyLimit(token({ maxConcurrentTransactions: 2 }))).toBe(2);
    expect(concurrencyLimit(token({ maxConcurrentTransactions: 'unlimited' }))).toBeUndefined();
  });

  it.each([
    [1, [], true],
    [1, [liveOne], false],
    [2, [liveOne], true],
    [2, [liveOne, liveOne], false],
    [1, [stale, stale, { state: 'same-charger' }, { state: 'gone' }, { state: 'other-type' }], true],
    [undefined, [liveOne, liveOne, liveOne], true],
  ] as const)('limit %s with %j: %s', (limit, states, expected) => {
    expect(mayHold(limit, states)).toBe(expected);
  });
});
