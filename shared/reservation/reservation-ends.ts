/**
 * How a reservation ends besides its answer: used by the transaction that starts on it, expired (our schedule, or the
 * charger's own report), cancelled. Whatever ends it frees the EVSE it held (reserved-evses.ts), so the CSMS stops
 * refusing other tokens there.
 */
import type { Ports } from '../deps.ts';
import type { Reservation, ReservationStatusReport } from './reservation.ts';
import { heldEvseOf } from './reserved-evses.ts';

/** Frees the EVSE a reservation that just ended held (a no-op for one that held none, or when it is held anew). */
export const releaseHold = async (deps: Ports, ended: Reservation | undefined): Promise<void> => {
  const evse = ended && heldEvseOf(ended);
  if (ended && evse !== undefined) await deps.stores.reservations.releaseEvse(ended.chargerId, evse, ended.reservationId);
};

export interface ReservationUse {
  chargerId: string;
  reservationId: number;
  transactionId: string;
  /** When the start arrived. */
  at: string;
  /** The EVSE the start is on, when known: its hold is freed alongside the update instead of after it. */
  evseId?: number;
}

/**
 * A transaction started on the reservation: `used` and linked to it. Idempotent (a retried start finds it used and
 * changes nothing); a reservation we never knew of, or one that ended otherwise, stays as it is.
 */
export const useReservation = async (deps: Ports, use: ReservationUse): Promise<Reservation | undefined> => {
  const using = deps.stores.reservations.use(use.chargerId, use.reservationId, use.transactionId, use.at);
  if (use.evseId === undefined || use.evseId <= 0) {
    const used = await using;
    await releaseHold(deps, used);
    return used;
  }
  // The start itself says the charger let go of the hold: freed whether or not our record was still open.
  const [used] = await Promise.all([using, deps.stores.reservations.releaseEvse(use.chargerId, use.evseId, use.reservationId)]);
  return used;
};

/**
 * The charger's ReservationStatusUpdate: kept, and an open reservation closed as it says (Expired, Removed, ...).
 * An id we hold no reservation of (made up, or made by another CSMS) is logged only: its message is on the timeline.
 */
export const recordReservationReport = async (deps: Ports, report: ReservationStatusReport): Promise<void> => {
  const { known, closed } = await deps.stores.reservations.report(report);
  if (!known) {
    deps.log.info('ReservationStatusUpdate for a reservation id we hold none of: kept on the timeline only', {
      chargerId: report.chargerId,
      reservationId: report.reservationId,
      status: report.status,
    });
  }
  await releaseHold(deps, closed);
};

/** How many past-expiry reservations one run reads per page, and closes at once. */
const EXPIRY_PAGE = 25;
/** Pages one run closes at most; the next run (a minute later) goes on. */
const MAX_PAGES = 40;

/**
 * The expiry schedule: every open reservation whose expiry has passed becomes `expired` and frees its EVSE. The
 * charger expires its own reservation at the same time; this only keeps our record in step (and its hold from
 * refusing tokens). One Query of the open-by-expiry index per page, an UpdateItem (and a hold release) per
 * reservation. Answers how many it closed.
 */
export const expireReservations = async (deps: Ports): Promise<number> => {
  const now = deps.now().toISOString();
  let closed = 0;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const due = await deps.stores.reservations.pastExpiry(now, { limit: EXPIRY_PAGE, ...(cursor ? { cursor } : {}) });
    const ended = await Promise.all(due.items.map((r) => deps.stores.reservations.expire(r, now)));
    await Promise.all(ended.map((r) => releaseHold(deps, r)));
    closed += ended.filter((r) => r !== undefined).length;
    cursor = due.cursor;
    if (cursor === undefined) break;
  }
  if (closed > 0) deps.log.info('reservations past their expiry closed', { closed });
  return closed;
};
