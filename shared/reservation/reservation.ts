/**
 * A reservation on a charger: one item per reservation id, written from two sides that never overwrite each other's
 * attributes. Our commands write what was asked and what the charger answered (ReserveNow: `reserved` or `refused`;
 * CancelReservation: `cancelled`); the charger's own ReservationStatusUpdate (2.x: Expired, Removed; 2.1 also
 * NoTransaction) writes `reportedStatus` and `reportedAt`. Both are updates of named attributes, so they land on the
 * same item in either order.
 */
export interface ReservationStatusReport {
  chargerId: string;
  reservationId: number;
  /** `reservationUpdateStatus` as the charger sent it. */
  status: string;
  /** When it arrived (the message carries no time of its own). */
  at: string;
}

/** What our commands made of it: the charger took the ReserveNow, refused it, or took its cancellation. */
export type ReservationStatus = 'reserved' | 'refused' | 'cancelled';

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

export interface Reservation extends Partial<ReservationRequest> {
  chargerId: string;
  reservationId: number;
  status?: ReservationStatus;
  /** The ReserveNow command that made it. */
  commandId?: string;
  answeredAt?: string;
  /** A refused ReserveNow's status (Faulted, Occupied, Rejected, Unavailable). */
  refusedWith?: string;
  cancelledAt?: string;
  /** The CancelReservation command the charger accepted. */
  cancelledByCommand?: string;
  /** The last status the charger reported (ReservationStatusUpdate), and when it arrived. */
  reportedStatus?: string;
  reportedAt?: string;
}
