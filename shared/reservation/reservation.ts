/**
 * A reservation on a charger: one item per reservation id, written from two sides that never overwrite each other's
 * attributes. Our side writes what was asked and what became of it: `requested` (POST /reservations, before the
 * ReserveNow goes), then the charger's answer (`reserved` or `refused`), then how it ended (`cancelled` by an accepted
 * CancelReservation, `expired` past its expiry, `used` by the transaction that started on it). The charger's own
 * ReservationStatusUpdate (2.x: Expired, Removed; 2.1 also NoTransaction) writes `reportedStatus` and `reportedAt`,
 * and closes an open reservation. Every write is an update of named attributes, so they land in either order.
 */
export interface ReservationStatusReport {
  chargerId: string;
  reservationId: number;
  /** `reservationUpdateStatus` as the charger sent it. */
  status: string;
  /** When it arrived (the message carries no time of its own). */
  at: string;
}

/** Where a reservation is: asked for, held by the charger, or ended (refused, cancelled, expired or used). */
export const RESERVATION_STATUSES = ['requested', 'reserved', 'refused', 'cancelled', 'expired', 'used'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];
/** The states a reservation can still leave: it holds (or may soon hold) an EVSE and has an expiry to watch. */
export const OPEN_STATUSES: readonly ReservationStatus[] = ['requested', 'reserved'];
export const isOpen = (status: ReservationStatus | undefined): boolean => status !== undefined && OPEN_STATUSES.includes(status);

/** What a ReserveNow asked for, in either version's terms. */
export interface ReservationRequest {
  chargerId: string;
  reservationId: number;
  /** Until when (1.6 expiryDate, 2.x expiryDateTime), as sent. */
  expiry: string;
  /** 1.6: the connector; 0 reserves the charger as a whole. */
  connectorId?: number;
  /** 2.x: the EVSE; absent reserves any EVSE (of `connectorType`, when given). */
  evseId?: number;
  connectorType?: string;
  /** 1.6 idTag, 2.x idToken.idToken. */
  idToken: string;
  /** 2.x idToken.type. */
  idTokenType?: string;
  /** 1.6 parentIdTag, 2.x groupIdToken.idToken. */
  groupIdToken?: string;
  groupIdTokenType?: string;
}

/** A ReserveNow the charger answered: `Accepted` makes it `reserved`, any other status `refused` with that status. */
export interface AnsweredReservation extends ReservationRequest {
  /** The ReserveNow command. */
  commandId: string;
  answeredAt: string;
  /** The charger's ReserveNow status (Accepted, Faulted, Occupied, Rejected, Unavailable). */
  answer: string;
}

/** A reservation POST /reservations records before its ReserveNow is sent. */
export interface RequestedReservation extends ReservationRequest {
  /** The ReserveNow command that will carry it (its id is known before it is queued). */
  commandId: string;
  createdAt: string;
  requestedBy: string;
}

export interface Reservation extends Partial<ReservationRequest> {
  chargerId: string;
  reservationId: number;
  status?: ReservationStatus;
  /** When we first knew of it (the request, or the first answer or report of one made elsewhere). */
  createdAt?: string;
  /** Who asked for it (POST /reservations). */
  requestedBy?: string;
  /** The ReserveNow command that made it. */
  commandId?: string;
  answeredAt?: string;
  /** A refused ReserveNow's status (Faulted, Occupied, Rejected, Unavailable). */
  refusedWith?: string;
  cancelledAt?: string;
  /** The CancelReservation command the charger accepted. */
  cancelledByCommand?: string;
  /** The latest CancelReservation sent for it (DELETE /reservations/...), whatever its answer. */
  cancelRequestedByCommand?: string;
  /** When the CSMS (its expiry schedule) or the charger (ReservationStatusUpdate) closed it as expired. */
  expiredAt?: string;
  /** The transaction that started on it, and when that start arrived. */
  usedByTransaction?: string;
  usedAt?: string;
  /** The last status the charger reported (ReservationStatusUpdate), and when it arrived. */
  reportedStatus?: string;
  reportedAt?: string;
}

/** How a reservation ends without a refusal; each applies only to a reservation in one of its `from` states. */
export type ClosingStatus = 'cancelled' | 'expired' | 'used';
export const CLOSES_FROM: Readonly<Record<ClosingStatus, readonly ReservationStatus[]>> = {
  cancelled: OPEN_STATUSES,
  expired: OPEN_STATUSES,
  // Our expiry schedule runs on our clock: a charger that started on the reservation within its own clock's expiry wins.
  used: [...OPEN_STATUSES, 'expired'],
};

/** What the charger's ReservationStatusUpdate closes an open reservation as (2.1 NoTransaction: presented, never started). */
export const REPORTED_CLOSES: Readonly<Record<string, 'expired' | 'cancelled'>> = {
  Expired: 'expired',
  NoTransaction: 'expired',
  Removed: 'cancelled',
};
