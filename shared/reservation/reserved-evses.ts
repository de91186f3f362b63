/**
 * What a reserved EVSE means for the CSMS's answers. OCPP 1.6 §5.13: a charger that accepted a reservation "SHALL
 * refuse charging for all incoming idTags on the reserved connector, except when the incoming idTag or the parent
 * idTag match the idTag or parent idTag of the reservation"; 2.0.1 H01/H03 say the same of an EVSE and its
 * groupIdToken. A charger that started anyway (offline, or firmware that ignores its reservation) gets the same
 * refusal from us: the start's answer is `Invalid` (1.6 has no closer status; in 2.x it is "not allowed for
 * charging"), and the charger stops it as it stops any start with an invalid id.
 *
 * Only a reservation of one EVSE (1.6: connector > 0; 2.x: an evseId) holds something a start can be checked
 * against: a reservation of the whole charger (1.6 connector 0) or of any EVSE of a type keeps one EVSE free that the
 * charger chooses, which the CSMS cannot know. Authorize names no EVSE (in either version), so it is not checked.
 *
 * The holds are one item per charger (store: `readHeldEvses`), read in the BatchGetItem a start sends anyway.
 */
import type { PresentedToken, TokenDecision } from '../token/id-tokens.ts';
import { sameTokenValue } from '../token/token-value.ts';
import type { ReservationRequest } from './reservation.ts';

/** An accepted reservation as it holds an EVSE. */
export interface EvseHold {
  reservationId: number;
  idToken: string;
  idTokenType?: string;
  groupIdToken?: string;
  /** UTC ISO. */
  expiry: string;
}

/** The holds of one charger, by EVSE id (a 1.6 connector is its own EVSE: charger/connector-status.ts). */
export type HeldEvses = Readonly<Record<number, EvseHold>>;

/** The EVSE a reservation holds, if it holds one: 1.6 connector N (N > 0) is EVSE N, 2.x names its evseId. */
export const heldEvseOf = (r: Pick<ReservationRequest, 'connectorId' | 'evseId'>): number | undefined => {
  const evse = r.evseId ?? r.connectorId;
  return evse !== undefined && evse > 0 ? evse : undefined;
};

export const holdOf = (r: ReservationRequest): EvseHold => ({
  reservationId: r.reservationId,
  idToken: r.idToken,
  ...(r.idTokenType !== undefined ? { idTokenType: r.idTokenType } : {}),
  ...(r.groupIdToken !== undefined ? { groupIdToken: r.groupIdToken } : {}),
  expiry: new Date(r.expiry).toISOString(),
});

/** A start (or a transaction event) as the reservation check sees it. */
export interface StartOnEvse {
  /** The EVSE it is on, when the message (or the transaction) names one. */
  evseId?: number;
  /** The token it presents; none: an event without one (nothing to refuse). */
  token?: PresentedToken;
  /** The presented token's own group (1.6 parentIdTag, 2.x groupIdToken), as the token lookup found it. */
  tokenGroup?: string;
  /** The reservation the charger says it starts on (1.6 StartTransaction / 2.x TransactionEvent `reservationId`). */
  reservationId?: number;
}

export interface ReservationCheck {
  /** The token decision to answer: the one given, or `Invalid` on an EVSE held for another token. */
  decision?: TokenDecision;
  /** The reservation this start uses up (it becomes `used`). */
  uses?: number;
  /** The reservation that made the answer `Invalid`. */
  refusedFor?: number;
}

const sameToken = (value: string, type: string | undefined, heldValue: string, heldType: string | undefined): boolean =>
  sameTokenValue(value, heldValue) && (type === undefined || heldType === undefined || type === heldType);

/** 1.6 §5.13: the idTag or its parent matches the reservation's idTag or parent idTag (2.x: idToken, groupIdToken). */
export const tokenMatches = (hold: EvseHold, token: PresentedToken, tokenGroup: string | undefined): boolean => {
  const heldValues = [hold.idToken, ...(hold.groupIdToken !== undefined ? [hold.groupIdToken] : [])];
  return (
    sameToken(token.value, token.type, hold.idToken, hold.idTokenType) ||
    (hold.groupIdToken !== undefined && sameTokenValue(token.value, hold.groupIdToken)) ||
    (tokenGroup !== undefined && heldValues.some((held) => sameTokenValue(held, tokenGroup)))
  );
};

/**
 * Pure: the answer and the reservation used for a start on `start.evseId`, given the charger's holds at `now`. A hold
 * past its expiry holds nothing (the schedule that closes it may not have run yet). Only an `Accepted` decision is
 * turned into `Invalid`: a blocked or expired token keeps its own status.
 */
export const checkReservedEvse = (held: HeldEvses | undefined, start: StartOnEvse, decision: TokenDecision | undefined, now: Date): ReservationCheck => {
  const candidate = start.evseId !== undefined && start.evseId > 0 ? held?.[start.evseId] : undefined;
  const hold = candidate !== undefined && Date.parse(candidate.expiry) > now.getTime() ? candidate : undefined;
  const named = start.reservationId;
  const matches =
    hold !== undefined && (named === hold.reservationId || (start.token !== undefined && tokenMatches(hold, start.token, start.tokenGroup)));
  if (hold !== undefined && !matches && start.token !== undefined && decision?.verdict === 'Accepted') {
    return { decision: { ...decision, verdict: 'Invalid' }, refusedFor: hold.reservationId };
  }
  // The charger ends a reservation when a transaction starts for its token on its EVSE, with or without the id.
  const uses = named ?? (matches && decision?.verdict === 'Accepted' ? hold.reservationId : undefined);
  return { ...(decision ? { decision } : {}), ...(uses !== undefined ? { uses } : {}) };
};
