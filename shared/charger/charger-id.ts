/**
 * OCPP charging station identity rules. OCPP-J 2.0.1 Part 4 §3.1: the identity is at most 48 characters
 * from identifierString (a-z A-Z 0-9 * - _ = : + | @ .); 1.6 chargeBoxId is CiString48, a case-insensitive
 * string. The same rule is enforced at the edge (lib/edge) and here, so the registry never holds an id a charger
 * cannot use.
 */
export const CHARGER_ID_PATTERN = /^[A-Za-z0-9*\-_=:+|@.]{1,48}$/;

/** `.` and `..` are path segments, not ids: a URL resolver removes or climbs them. No id is dots only. */
const ONLY_DOTS = /^\.+$/;

export const isValidChargerId = (id: string): boolean => CHARGER_ID_PATTERN.test(id) && !ONLY_DOTS.test(id);

/**
 * The form ids are compared and looked up in: `CP-1` and `cp-1` are one charger (CiString). The case the operator
 * registered is kept in the profile for display and in every record the charger's messages write.
 */
export const chargerIdKey = (id: string): string => id.toLowerCase();

export const sameChargerId = (a: string, b: string): boolean => chargerIdKey(a) === chargerIdKey(b);
