/**
 * OCPP charging station identity rules. OCPP-J 2.0.1 Part 4 §3.1: the identity is at most 48 characters
 * from identifierString (a-z A-Z 0-9 * - _ = : + | @ .); 1.6 chargeBoxId is CiString48 in practice.
 * The same rule is enforced at the edge (lib/edge) and here, so the registry never holds an id a charger cannot use.
 */
export const CHARGER_ID_PATTERN = /^[A-Za-z0-9*\-_=:+|@.]{1,48}$/;

export const isValidChargerId = (id: string): boolean => CHARGER_ID_PATTERN.test(id);
