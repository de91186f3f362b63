/**
 * Every action the CSMS sends, end to end against one local runtime: a sample request (test/support/command-samples.ts)
 * posted through REST, queued, dispatched, answered by a charger and followed with `GET /commands/{id}?wait=`.
 *
 * 1.6 and 2.0.1 chargers are strict ocpp-rpc clients (their own schema set checks our CALL and their reply) answering
 * with the simulator's replies, one charger accepting and one rejecting. 2.1 chargers speak raw frames (ocpp-rpc's
 * strict mode looks 2.1 schemas up by ids its 2.1 file does not use) and answer with a minimal reply built from
 * ocpp-rpc's 2.1 schemas. Commands go one after another per charger; the chargers run in parallel.
 */
import { describe, it, type ExpectStatic } from 'vitest';
import { outboundActions, outcomeOf } from '#shared/command/catalog.ts';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import { answerCsmsCalls } from '../../scripts/simulator/answer-calls.ts';
import { hasRejectReply, type SimulatorProtocol } from '../../scripts/simulator/replies.ts';
import { commandSample } from '../support/command-samples.ts';
import { commandE2eFile, type Json } from '../support/command-e2e.ts';
import { runId } from '../support/e2e.ts';
import { ocppRpcCheck, ocppRpcSchemas, samplePayload } from '../support/ocpp-rpc-schemas.ts';

const f = commandE2eFile('rt-admin');
const { api, send, follow } = f;

/** How long one charger's round trips may take (ms): one command after another, each a queue hop and an answer. */
const ROUND_TRIPS_MS = 240_000;

/** Outcomes that say yes; every other outcome of a reply with a status says no. */
const POSITIVE = new Set(['accepted', 'unlocked', 'unpublished']);

const ocppRpcKnows = (protocol: OcppProtocol, action: string) => ocppRpcSchemas(protocol).has(`${action}.req`);

/** What one command came to, and what its charger saw of it. */
interface RoundTrip {
  readonly action: string;
  /** The HTTP status the POST was answered with. */
  readonly posted: number;
  readonly done: Json;
  /** The CALL the charger received under the command's id. */
  readonly call?: { action: string; payload: unknown };
  /** The charger's CALLRESULT payload, or its CALLERROR as `{ errorCode }`. */
  readonly reply?: { result: unknown } | { errorCode: string };
}

/**
 * Each action's sample, posted and followed to its end one after another. `exchanged(commandId)` gives what the
 * charger received and answered under that message id.
 */
const roundTrips = async (chargerId: string, protocol: OcppProtocol, exchanged: (id: string) => Pick<RoundTrip, 'call' | 'reply'>): Promise<RoundTrip[]> => {
  const trips: RoundTrip[] = [];
  for (const action of outboundActions[protocol].filter((a) => protocol === 'ocpp2.1' || ocppRpcKnows(protocol, a))) {
    const posted = await send(chargerId, action, commandSample(protocol, action));
    const done = posted.status === 202 ? await follow(posted.body.commandId as string) : {};
    trips.push({ action, posted: posted.status, done, ...exchanged(posted.body.commandId as string) });
  }
  return trips;
};

/** A strict ocpp-rpc charger answering with the simulator's replies in `mode`, recording every exchange by message id. */
const simulatedCharger = async (chargerId: string, protocol: SimulatorProtocol, mode: 'accept' | 'reject') => {
  const client = await f.connect(chargerId, protocol);
  const calls = new Map<string, { action: string; payload: unknown }>();
  const replies = new Map<string, { result: unknown } | { errorCode: string }>();
  client.on('message', ({ message, outbound }: { message: string | Buffer; outbound: boolean }) => {
    const frame = JSON.parse(message.toString()) as unknown[];
    const id = String(frame[1]);
    if (!outbound && frame[0] === 2) calls.set(id, { action: String(frame[2]), payload: frame[3] });
    if (outbound && frame[0] === 3) replies.set(id, { result: frame[2] });
    if (outbound && frame[0] === 4) replies.set(id, { errorCode: String(frame[2]) });
  });
  answerCsmsCalls(client, { mode });
  return (id: string) => ({ call: calls.get(id), reply: replies.get(id) });
};

/** A minimal reply to `action` valid by ocpp-rpc's 2.1 schemas: the required fields, each enum's first value. */
const minimalReply21 = (action: string): unknown => {
  const schema = ocppRpcSchemas('ocpp2.1').get(`${action}.conf`);
  if (schema === undefined) throw new Error(`ocpp-rpc has no 2.1 ${action} response schema`);
  return samplePayload(schema, 'required');
};

/** The charger's CALLRESULT payload in a round trip, if it sent one. */
const resultOf = (trip: RoundTrip): unknown => (trip.reply !== undefined && 'result' in trip.reply ? trip.reply.result : undefined);

/** Each round trip's action beside what `f` reads of it: a failed expectation on this names every action that differs. */
const byAction = <T>(trips: readonly RoundTrip[], f: (trip: RoundTrip) => T): [string, T][] => trips.map((t) => [t.action, f(t)]);

/**
 * What every round trip must show whatever the reply: posted (202), received by the charger under the command's id
 * with the command's payload (any id the CSMS allocated included), and the charger's reply kept as the result. Each
 * expectation lists every action at once, so one run names all that fail.
 */
const expectDelivered = (expect: ExpectStatic, trips: readonly RoundTrip[]) => {
  expect(trips.length).toBeGreaterThan(0);
  expect(byAction(trips, (t) => t.posted)).toEqual(byAction(trips, () => 202));
  expect(byAction(trips, (t) => t.call)).toEqual(byAction(trips, (t) => ({ action: t.action, payload: t.done.payload })));
  expect(byAction(trips, (t) => t.done.result)).toEqual(byAction(trips, resultOf));
};

/** Every command of `trips` ended answered, with the outcome the catalog reads in the charger's reply. */
const expectAnswered = (expect: ExpectStatic, protocol: OcppProtocol, trips: readonly RoundTrip[]) => {
  expect(byAction(trips, (t) => t.done.status)).toEqual(byAction(trips, () => 'answered'));
  expect(byAction(trips, (t) => t.done.outcome)).toEqual(byAction(trips, (t) => outcomeOf(protocol, t.action, resultOf(t))));
};

describe.concurrent('every action the CSMS sends, round trip', () => {
  describe.each(['ocpp1.6', 'ocpp2.0.1'] as const)('%s, to a strict ocpp-rpc charger', (protocol) => {
    it('is known to ocpp-rpc for every action of the catalog (none is left out below)', ({ expect }) => {
      expect(outboundActions[protocol].filter((action) => !ocppRpcKnows(protocol, action))).toEqual([]);
    });

    it('accepting: every command is answered, its reply kept, its outcome positive where the reply has one', async ({ expect }) => {
      const cp = `CP-RTA-${protocol}-${runId}`;
      const trips = await roundTrips(cp, protocol, await simulatedCharger(cp, protocol, 'accept'));
      expectDelivered(expect, trips);
      expectAnswered(expect, protocol, trips);
      const negative = trips.filter((t) => t.done.outcome !== undefined && !POSITIVE.has(t.done.outcome as string));
      expect(negative.map((t) => [t.action, t.done.outcome])).toEqual([]);
    }, ROUND_TRIPS_MS);

    it('rejecting: a reply with a status says no; an action whose reply has none ends in the charger’s CALLERROR', async ({ expect }) => {
      const cp = `CP-RTR-${protocol}-${runId}`;
      const trips = await roundTrips(cp, protocol, await simulatedCharger(cp, protocol, 'reject'));
      expectDelivered(expect, trips);
      const [withStatus, withoutStatus] = [trips.filter((t) => hasRejectReply(protocol, t.action)), trips.filter((t) => !hasRejectReply(protocol, t.action))];
      expectAnswered(expect, protocol, withStatus);
      const failure = (t: RoundTrip) => [t.done.status, t.done.failure?.code, t.done.failure?.callError?.errorCode];
      expect(byAction(withoutStatus, failure)).toEqual(byAction(withoutStatus, () => ['failed', 'CallError', 'NotSupported']));
      const positive = withStatus.filter((t) => t.done.outcome === undefined || POSITIVE.has(t.done.outcome as string));
      expect(positive.map((t) => [t.action, t.done.outcome])).toEqual([]);
    }, ROUND_TRIPS_MS);
  });

  describe('ocpp2.1, to a charger speaking raw frames', () => {
    it('answers each CALL with a minimal valid reply, and every command ends answered with it', async ({ expect }) => {
      const cp = `CP-RT21-${runId}`;
      const charger = await f.connectRaw(cp, 'ocpp2.1');
      const calls = new Map<string, { action: string; payload: unknown }>();
      const replies = new Map<string, { result: unknown }>();
      const problems: string[] = [];
      // Answers the CSMS's CALLs as they come, until the socket closes (one is out at a time: the commands are
      // posted one after another).
      const answering = (async () => {
        for (;;) {
          const frame = await charger.next().catch(() => undefined);
          if (frame === undefined) return;
          const [type, id, action, payload] = frame as [number, string, string, unknown];
          if (type !== 2) {
            problems.push(`not a CALL: ${JSON.stringify(frame)}`);
            continue;
          }
          calls.set(id, { action, payload });
          const invalid = ocppRpcCheck('ocpp2.1', action, 'req', payload);
          if (invalid !== undefined) problems.push(`the ${action} CALL breaks ocpp-rpc's 2.1 schema: ${invalid}`);
          const result = minimalReply21(action);
          const ours = ocppRpcCheck('ocpp2.1', action, 'conf', result);
          if (ours !== undefined) problems.push(`the ${action} reply breaks ocpp-rpc's 2.1 schema: ${ours}`);
          replies.set(id, { result });
          charger.ws.send(JSON.stringify([3, id, result]));
        }
      })();
      const trips = await roundTrips(cp, 'ocpp2.1', (id) => ({ call: calls.get(id), reply: replies.get(id) }));
      charger.ws.close(1000);
      await answering;
      expect(problems).toEqual([]);
      expect(trips.map((t) => t.action)).toEqual([...outboundActions['ocpp2.1']]);
      expectDelivered(expect, trips);
      expectAnswered(expect, 'ocpp2.1', trips);
    }, ROUND_TRIPS_MS);

    it('tells the charger with a CALLRESULTERROR why its CALLRESULT breaks the schema, and ends the command failed', async ({ expect }) => {
      const cp = `CP-RT21BAD-${runId}`;
      const charger = await f.connectRaw(cp, 'ocpp2.1');
      const posted = await send(cp, 'Reset', { type: 'Immediate' });
      const [, messageId] = await charger.nextCall();
      charger.ws.send(JSON.stringify([3, messageId, { status: 'Maybe' }]));
      const [type, id, errorCode, description, details] = await charger.next();
      expect([type, id, errorCode]).toEqual([5, messageId, 'PropertyConstraintViolation']);
      expect(description).toMatch(/status/);
      expect(details).toEqual(expect.any(Object));
      expect(await follow(posted.body.commandId as string)).toMatchObject({ status: 'failed', failure: { code: 'InvalidResponse', raw: { status: 'Maybe' } } });
      const entries = (await f.e.deps.stores.messageLog.list(cp, { limit: 50 })).items;
      const logged = entries.find((frame) => frame.direction === 'in' && frame.messageType === 3);
      expect(JSON.parse(logged!.reply!)).toEqual([type, id, errorCode, description, details]);
      // A valid reply is never answered.
      const next = await send(cp, 'Reset', { type: 'Immediate' });
      const [, nextId] = await charger.nextCall();
      charger.ws.send(JSON.stringify([3, nextId, { status: 'Accepted' }]));
      expect(await follow(next.body.commandId as string)).toMatchObject({ status: 'answered' });
      await new Promise((r) => setTimeout(r, 300));
      expect(charger.unread()).toBe(0);
      charger.ws.close(1000);
    });

    it('never ends a command with a CALLRESULTERROR carrying its message id, and does not answer it', async ({ expect }) => {
      const cp = `CP-RT21ERR-${runId}`;
      const charger = await f.connectRaw(cp, 'ocpp2.1');
      const posted = await send(cp, 'Reset', { type: 'Immediate' }, { timeoutSeconds: 2 });
      expect(posted.status).toBe(202);
      const commandId = posted.body.commandId as string;
      const [type, messageId, action] = await charger.nextCall();
      expect([type, messageId, action]).toEqual([2, commandId, 'Reset']);
      const refusal = [5, messageId, 'InternalError', 'the charger could not take this', {}];
      charger.ws.send(JSON.stringify(refusal));
      // The CSMS logs each frame it took together with its answer, if it gave one.
      const logged = async () => (await f.e.deps.stores.messageLog.list(cp, { limit: 50 })).items.find((frame) => frame.direction === 'in' && frame.messageType === 5);
      await expect.poll(logged, { timeout: 10_000 }).toBeDefined();
      const entry = await logged();
      expect(JSON.parse(entry!.frame)).toEqual(refusal);
      expect(entry!.reply).toBeUndefined();
      expect((await api('GET', `/commands/${commandId}`)).body).toMatchObject({ status: 'sent', messageId });
      // Its deadline passes with no answer: the command times out, and nothing reached the charger meanwhile.
      const done = await follow(commandId, 15);
      expect(done).toMatchObject({ status: 'timedOut' });
      expect(done.result).toBeUndefined();
      expect(charger.unread()).toBe(0);
    });
  });
});
