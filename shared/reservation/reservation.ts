/**
 * A reservation on a charger, as far as we know it so far: the last status the charger reported for it in a
 * ReservationStatusUpdate (2.x: Expired, Removed; 2.1 also NoTransaction) and when. The reservations issue adds what
 * ReserveNow asked for to the same item.
 */
export interface ReservationStatusReport {
  chargerId: string;
  reservationId: number;
  /** `reservationUpdateStatus` as the charger sent it. */
  status: string;
  /** When it arrived (the message carries no time of its own). */
  at: string;
}

export interface Reservation {
  chargerId: string;
  reservationId: number;
  /** The last status the charger reported, and when it arrived. */
  reportedStatus?: string;
  reportedAt?: string;
}
