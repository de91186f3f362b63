/**
 * One rule for every timestamp a charger sends. A charger's clock is trusted only within bounds around the time
 * we received its message: at most `aheadMs` in the future (clocks drift; a charger that dates a start 9999 would
 * otherwise hold its connector against every later start), at most `behindMs` in the past (offline backlog is
 * replayed late and must keep its order; a clock reset to 1970 or year 0 must not). Outside the bounds, or
 * unreadable, the receive time stands in for ordering and keys, and what the charger sent is kept beside it as a
 * fact (`sent`). Times are UTC ISO-8601 with a four-digit year, so string order is time order.
 */

export interface ChargerClockBounds {
  /** How far ahead of the receive time a charger's timestamp may be. */
  readonly aheadMs: number;
  /** How far behind the receive time a charger's timestamp may be (offline backlog). */
  readonly behindMs: number;
}

/** The documented defaults (functions/_common/env.ts `chargers` settings). */
export const DEFAULT_CHARGER_CLOCK: ChargerClockBounds = { aheadMs: 300_000, behindMs: 365 * 86_400_000 };

export type ClockVerdict = 'ahead' | 'behind' | 'unreadable';

export interface ChargerTime {
  /** The time to store, order and key by: the charger's, in UTC, or the receive time in its place. */
  at: string;
  /** Present when `at` is the receive time although the charger sent a time: what it sent, and why it was not used. */
  replaced?: { sent: string; verdict: ClockVerdict };
}

/** An offset of whole hours (`+02`), which ISO 8601 allows and some chargers send; Date.parse cannot read it. */
const HOURS_ONLY_OFFSET = /([+-]\d{2})$/;
const FULL_TIME = /T\d{2}:\d{2}:\d{2}(?:\.\d+)?[+-]\d{2}$/i;

/** Milliseconds since the epoch of a charger's ISO 8601 time; NaN when unreadable. */
const parseChargerTime = (sent: string): number => Date.parse(FULL_TIME.test(sent) ? sent.replace(HOURS_ONLY_OFFSET, '$1:00') : sent);

/** The sent time in UTC when it is readable at all (any year), else as sent: the same for every retry of a message. */
export const sentInUtc = (sent: string): string => {
  const ms = parseChargerTime(sent);
  return Number.isNaN(ms) ? sent : new Date(ms).toISOString();
};

export const chargerTime = (sent: string | undefined, receivedAt: Date, bounds: ChargerClockBounds): ChargerTime => {
  const received = receivedAt.getTime();
  if (sent === undefined) return { at: receivedAt.toISOString() };
  const ms = parseChargerTime(sent);
  const verdict: ClockVerdict | undefined = Number.isNaN(ms)
    ? 'unreadable'
    : ms > received + bounds.aheadMs
      ? 'ahead'
      : ms < received - bounds.behindMs
        ? 'behind'
        : undefined;
  return verdict === undefined ? { at: new Date(ms).toISOString() } : { at: receivedAt.toISOString(), replaced: { sent, verdict } };
};
