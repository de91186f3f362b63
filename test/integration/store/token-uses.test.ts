/**
 * The transactions holding a token (one `USES` item per token value): the claims starts make, atomically across
 * chargers, on DynamoDB Local through the real SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenUsesKey } from '#shared/store/keys.ts';
import { claimIfFree, settleClaim, type StartClaim } from '#shared/transaction/token-claim.ts';
import type { TokenUse } from '#shared/transaction/token-use.ts';
import type { IdTokenRecord } from '#shared/token/id-tokens.ts';
import { makeDocumentClient } from '#shared/store/dynamo.ts';
import { makeDomainDeps } from '#shared/store/make-deps.ts';
import { DEFAULT_RETENTION } from '#shared/store/retention.ts';
import { countingRequests, openStoreFixture, type StoreFixture } from './fixture.ts';

let f: StoreFixture;
beforeAll(async () => {
  f = await openStoreFixture();
});
afterAll(async () => f?.close());

const use = (chargerId: string, transactionId: string, since = new Date().toISOString()): TokenUse => ({
  chargerId,
  transactionId,
  protocol: 'ocpp2.0.1',
  idTokenType: 'ISO14443',
  since,
});
const token = (value: string, maxConcurrentTransactions?: IdTokenRecord['maxConcurrentTransactions']): IdTokenRecord => ({
  value,
  tokenType: 'ISO14443',
  blocked: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...(maxConcurrentTransactions !== undefined ? { maxConcurrentTransactions } : {}),
});
const WINDOW = 4 * 60 * 60_000;

/** Chargers connected now, as $connect records them. */
const connect = async (...chargerIds: string[]) => {
  for (const chargerId of chargerIds) {
    await f.deps.stores.presence.attach({ chargerId, connectionId: `conn-${chargerId}`, protocol: 'ocpp2.0.1', connectedAt: Date.now() });
  }
};

/** A whole start's claim, as a handler makes it: beside its reads, then settled. */
const start = async (value: string, u: TokenUse, t = token(value)): Promise<boolean> => {
  const claim: StartClaim = { value, use: u };
  return settleClaim(f.deps, claim, t, await claimIfFree(f.deps, claim), WINDOW);
};

describe('token uses', () => {
  it('claims a token nobody holds in one request; a second claim gets the holder and the revision instead', async () => {
    const { tokenUses } = f.deps.stores;
    const first = use('CP-A', 'TX-1');
    const { result, requests } = await countingRequests(() => tokenUses.claimFirst('TOK-FIRST', first));
    expect(result).toEqual({ claimed: true });
    expect(requests).toBe(1);
    const second = await tokenUses.claimFirst('TOK-FIRST', use('CP-B', 'TX-2'));
    expect(second).toMatchObject({ claimed: false, uses: [first] });
    expect(second.claimed ? undefined : second.rev).toEqual(expect.any(String));
  });

  it('of two claims at the same moment on two chargers, exactly one wins', async () => {
    const { tokenUses } = f.deps.stores;
    const outcomes = await Promise.all([tokenUses.claimFirst('TOK-RACE', use('CP-A', 'TX-A')), tokenUses.claimFirst('TOK-RACE', use('CP-B', 'TX-B'))]);
    expect(outcomes.filter((o) => o.claimed)).toHaveLength(1);
    const loser = outcomes.find((o) => !o.claimed);
    expect(loser && !loser.claimed ? loser.uses.map((u) => u.chargerId) : []).toHaveLength(1);
    expect((await tokenUses.read('TOK-RACE')).uses).toHaveLength(1);
  });

  it('claims on the revision decided on only: a claim landing in between makes it fail and answer the uses anew', async () => {
    const { tokenUses } = f.deps.stores;
    await tokenUses.claimFirst('TOK-REV', use('CP-A', 'TX-1'));
    const seen = await tokenUses.read('TOK-REV');
    expect(await tokenUses.claimIfUnchanged('TOK-REV', use('CP-B', 'TX-2'), seen.rev!)).toEqual({ claimed: true });
    const late = await tokenUses.claimIfUnchanged('TOK-REV', use('CP-C', 'TX-3'), seen.rev!);
    expect(late.claimed).toBe(false);
    expect(late.claimed ? [] : late.uses.map((u) => u.transactionId).sort()).toEqual(['TX-1', 'TX-2']);
    // With the revision it was answered, and dropping a use that holds nothing any more, in the same write.
    const again = await tokenUses.claimIfUnchanged('TOK-REV', use('CP-C', 'TX-3'), late.claimed ? '' : late.rev!, [use('CP-A', 'TX-1')]);
    expect(again).toEqual({ claimed: true });
    expect((await tokenUses.read('TOK-REV')).uses.map((u) => u.transactionId).sort()).toEqual(['TX-2', 'TX-3']);
  });

  it('records a use nobody decided on, as first recorded, and moves the revision on', async () => {
    const { tokenUses } = f.deps.stores;
    await tokenUses.open('TOK-OPEN', use('CP-A', 'TX-1', '2026-01-01T10:00:00.000Z'));
    const before = await tokenUses.read('TOK-OPEN');
    await tokenUses.open('TOK-OPEN', use('CP-A', 'TX-1', '2026-01-01T11:00:00.000Z'));
    await tokenUses.open('TOK-OPEN', use('CP-B', 'TX-2'));
    const after = await tokenUses.read('TOK-OPEN');
    expect(after.uses.find((u) => u.transactionId === 'TX-1')?.since).toBe('2026-01-01T10:00:00.000Z');
    expect(after.uses).toHaveLength(2);
    expect(after.rev).not.toBe(before.rev);
  });

  it('gives a use back: the item goes with its last use, another use stays, an absent one changes nothing', async () => {
    const { tokenUses } = f.deps.stores;
    await tokenUses.claimFirst('TOK-BACK', use('CP-A', 'TX-1'));
    await tokenUses.open('TOK-BACK', use('CP-B', 'TX-2'));
    const rev = (await tokenUses.read('TOK-BACK')).rev;
    await tokenUses.release('TOK-BACK', { chargerId: 'CP-A', transactionId: 'TX-1' });
    expect(await tokenUses.read('TOK-BACK')).toEqual({ uses: [use('CP-B', 'TX-2', expect.any(String) as unknown as string)], rev });
    await tokenUses.release('TOK-BACK', { chargerId: 'CP-X', transactionId: 'TX-NONE' });
    await tokenUses.release('TOK-BACK', { chargerId: 'CP-B', transactionId: 'TX-2' });
    expect(await f.item('Csms', tokenUsesKey('TOK-BACK'))).toBeUndefined();
    await tokenUses.release('TOK-NEVER', { chargerId: 'CP-B', transactionId: 'TX-2' });
    expect(await f.item('Csms', tokenUsesKey('TOK-NEVER'))).toBeUndefined();
  });
});

describe('starts claiming one token at the same moment on many connected chargers', () => {
  const chargers = Array.from({ length: 8 }, (_, i) => `CP-CROWD-${i}`);
  beforeAll(async () => connect(...chargers));

  it('accept exactly one with the default limit', async () => {
    const held = await Promise.all(chargers.map((c) => start('TOK-CROWD-1', use(c, `TX-${c}`))));
    expect(held.filter(Boolean)).toHaveLength(1);
    expect((await f.deps.stores.tokenUses.read('TOK-CROWD-1')).uses).toHaveLength(1);
  });

  it('accept exactly N with a limit of N, and all of them when unlimited', async () => {
    const three = await Promise.all(chargers.map((c) => start('TOK-CROWD-3', use(c, `TX-${c}`), token('TOK-CROWD-3', 3))));
    expect(three.filter(Boolean)).toHaveLength(3);
    const fleet = await Promise.all(chargers.map((c) => start('TOK-FLEET', use(c, `TX-${c}`), token('TOK-FLEET', 'unlimited'))));
    expect(fleet.every(Boolean)).toBe(true);
    expect((await f.deps.stores.tokenUses.read('TOK-FLEET')).uses).toHaveLength(chargers.length);
  });

  it('never refuse a start on the charger that holds the token already', async () => {
    expect(await start('TOK-SAME', use('CP-CROWD-0', 'TX-OLD'))).toBe(true);
    expect(await start('TOK-SAME', use('CP-CROWD-0', 'TX-NEW'))).toBe(true);
    expect(await start('TOK-SAME', use('CP-CROWD-1', 'TX-ELSEWHERE'))).toBe(false);
  });

  it('skip a use on an offline charger with a log line naming it, and drop one whose start never got written', async () => {
    const warnings: { message: string; extra: object[] }[] = [];
    const log = { debug() {}, info() {}, error() {}, warn: (message: string, ...extra: object[]) => warnings.push({ message, extra }) };
    const logged = makeDomainDeps({ db: makeDocumentClient(f.env), tables: f.tables.names, retention: DEFAULT_RETENTION, now: () => new Date(), log });
    await start('TOK-STALE-LOG', use('CP-OFFLINE', 'TX-OFF'));
    const claim: StartClaim = { value: 'TOK-STALE-LOG', use: use('CP-CROWD-5', 'TX-ON') };
    expect(await settleClaim(logged, claim, token('TOK-STALE-LOG'), await claimIfFree(logged, claim), WINDOW)).toBe(true);
    expect(warnings).toEqual([
      {
        message: 'stale transaction skipped: it does not count against a start of its token',
        extra: [expect.objectContaining({ chargerId: 'CP-OFFLINE', transactionId: 'TX-OFF', reason: 'charger-offline', startingOn: 'CP-CROWD-5' })],
      },
    ]);
    const longAgo = new Date(Date.now() - 60 * 60_000).toISOString();
    await f.deps.stores.tokenUses.claimFirst('TOK-LOST', use('CP-CROWD-3', 'TX-LOST', longAgo));
    expect(await start('TOK-LOST', use('CP-CROWD-4', 'TX-4'))).toBe(true);
    // The lost claim was dropped in the same write.
    expect((await f.deps.stores.tokenUses.read('TOK-LOST')).uses.map((u) => u.transactionId)).toEqual(['TX-4']);
  });
});
