/**
 * Presence after a lost `$disconnect` (issue 8, item 12): the ReconcilePresence schedule marks offline the
 * connections API Gateway cannot still hold open, and only those.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SILENCE_MS } from '#shared/charger/presence.ts';
import { scheduledEvent } from '../../../bin/local/events/index.ts';
import { lambdaContext, startHarness, type Harness } from '../../support/handler-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const MINUTE = 60_000;

it('marks offline the connections past the 2 h maximum or silent past the idle timeout, and no other', async () => {
  const now = Date.now();
  const connect = (chargerId: string, minutesAgo: number) =>
    h.deps.stores.presence.attach({ chargerId, connectionId: `c-${chargerId}`, protocol: 'ocpp1.6', connectedAt: now - minutesAgo * MINUTE });
  const heard = (chargerId: string, minutesAgo: number) =>
    h.deps.stores.messageLog.append({ chargerId, connectionId: `c-${chargerId}`, direction: 'in', raw: '[2,"m","Heartbeat",{}]', at: new Date(now - minutesAgo * MINUTE) });
  await connect('CP-TOO-OLD', 130);
  await heard('CP-TOO-OLD', 1); // even heard lately: API Gateway closes every connection at 2 h
  await connect('CP-SILENT', 40);
  await heard('CP-SILENT', SILENCE_MS / MINUTE + 1);
  await connect('CP-NEVER-HEARD', 30);
  await connect('CP-ALIVE', 40);
  await heard('CP-ALIVE', 4);
  await connect('CP-JUST-CONNECTED', 2);
  await connect('CP-GONE-ALREADY', 60);
  await h.deps.stores.presence.detach('CP-GONE-ALREADY', 'c-CP-GONE-ALREADY');

  const reconcile = ((await import('../../../functions/schedule/reconcile-presence.ts')) as { handler: (e: unknown, c: unknown) => Promise<unknown> }).handler;
  expect(await reconcile(scheduledEvent('ReconcilePresence', new Date(now)), lambdaContext('ReconcilePresence'))).toEqual({ offline: 3 });

  const connected = async (id: string) => (await h.deps.stores.presence.get(id))?.connected;
  expect(await connected('CP-TOO-OLD')).toBe(false);
  expect(await connected('CP-SILENT')).toBe(false);
  expect(await connected('CP-NEVER-HEARD')).toBe(false);
  expect(await connected('CP-ALIVE')).toBe(true);
  expect(await connected('CP-JUST-CONNECTED')).toBe(true);
  expect(await connected('CP-GONE-ALREADY')).toBe(false);
  // A run finds nothing more to do.
  expect(await reconcile(scheduledEvent('ReconcilePresence', new Date(now)), lambdaContext('ReconcilePresence'))).toEqual({ offline: 0 });
});
