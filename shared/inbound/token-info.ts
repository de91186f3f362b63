/** The neutral token verdict in each OCPP version's words. */
import type { TokenDecision } from '../token/id-tokens.ts';

/** 1.6 AuthorizationStatus has no "Unknown": an unknown idTag is Invalid. */
export const idTagInfoV16 = (d: TokenDecision) => ({
  status: d.verdict === 'Unknown' ? 'Invalid' : d.verdict,
  ...(d.expiresAt ? { expiryDate: d.expiresAt } : {}),
  ...(d.groupId ? { parentIdTag: d.groupId } : {}),
});

export const idTokenInfoV2 = (d: TokenDecision) => ({
  status: d.verdict,
  ...(d.expiresAt ? { cacheExpiryDateTime: d.expiresAt } : {}),
  ...(d.groupId ? { groupIdToken: { idToken: d.groupId, type: 'Central' } } : {}),
});
