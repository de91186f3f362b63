/** The neutral token verdict in each OCPP version's words. */
import type { TokenDecision } from '../token/id-tokens.ts';
import type { AuthorizeResponse } from '../ocpp/generated/ocpp16.types.ts';
import type { IdTokenInfoType as IdTokenInfo201 } from '../ocpp/generated/ocpp201.types.ts';
import type { IdTokenInfoType as IdTokenInfo21 } from '../ocpp/generated/ocpp21.types.ts';

/** 1.6 AuthorizationStatus has no "Unknown": an unknown idTag is Invalid. */
export const idTagInfoV16 = (d: TokenDecision): AuthorizeResponse['idTagInfo'] => ({
  status: d.verdict === 'Unknown' ? 'Invalid' : d.verdict,
  ...(d.expiresAt ? { expiryDate: d.expiresAt } : {}),
  ...(d.groupId ? { parentIdTag: d.groupId } : {}),
});

/** Valid in 2.0.1 and 2.1 alike. */
export const idTokenInfoV2 = (d: TokenDecision): IdTokenInfo201 & IdTokenInfo21 => ({
  status: d.verdict,
  ...(d.expiresAt ? { cacheExpiryDateTime: d.expiresAt } : {}),
  ...(d.groupId ? { groupIdToken: { idToken: d.groupId, type: 'Central' } } : {}),
});
