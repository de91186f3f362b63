/** The neutral token verdict in each OCPP version's words. */
import type { TokenDecision, TokenVerdict } from '../token/id-tokens.ts';
import type { AuthorizeResponse } from '../ocpp/generated/ocpp16.types.ts';
import type { IdTokenInfoType as IdTokenInfo201, IdTokenType as IdToken201 } from '../ocpp/generated/ocpp201.types.ts';
import type { IdTokenInfoType as IdTokenInfo21 } from '../ocpp/generated/ocpp21.types.ts';

type IdTagStatus = AuthorizeResponse['idTagInfo']['status'];

/** 1.6 AuthorizationStatus has neither Unknown nor NotAtThisLocation: both are Invalid (identifier not allowed to charge). */
const V16_STATUS: Readonly<Record<TokenVerdict, IdTagStatus>> = {
  Accepted: 'Accepted',
  Blocked: 'Blocked',
  Expired: 'Expired',
  Invalid: 'Invalid',
  Unknown: 'Invalid',
  ConcurrentTx: 'ConcurrentTx',
  NotAtThisLocation: 'Invalid',
};

/** 1.6 parentIdTag is an IdToken, CiString20: a longer group id (2.x allows 36) cannot be said in 1.6 and is left out. */
const V16_ID_TAG_MAX_LENGTH = 20;

/**
 * 1.6 has no master pass: a charger would let an accepted one start charging (it compares parentIdTags only to stop),
 * so a master pass token is Invalid in every 1.6 answer, and stays whatever else refuses it (Blocked, Expired...).
 * Its group is never a parentIdTag: no card a 1.6 charger accepts shares it, so it would only tell the group's name.
 * Invalid ("not allowed for charging") comes alone: neither an expiry nor a group serves a card that may not charge.
 */
export const idTagInfoV16 = (d: TokenDecision): AuthorizeResponse['idTagInfo'] => {
  const status = d.masterPass && d.verdict === 'Accepted' ? 'Invalid' : V16_STATUS[d.verdict];
  if (status === 'Invalid') return { status };
  return {
    status,
    ...(d.expiresAt ? { expiryDate: d.expiresAt } : {}),
    ...(d.groupId && !d.masterPass && d.groupId.length <= V16_ID_TAG_MAX_LENGTH ? { parentIdTag: d.groupId } : {}),
  };
};

/**
 * The type every group token is answered with. A charger compares groupIdTokens (C09: a token of the starting token's
 * group may stop), so one group must always come with one type; a group id is an identifier the CSMS gives, which is
 * what `Central` means. Looking up the group's own token would cost a request per answer (another partition).
 */
export const GROUP_ID_TOKEN_TYPE = 'Central';

/** A group id as a 2.x IdTokenType (idTokenInfo.groupIdToken, and a local list entry's). */
export const groupIdTokenV2 = (groupId: string): IdToken201 => ({ idToken: groupId, type: GROUP_ID_TOKEN_TYPE });

/**
 * Valid in 2.0.1 and 2.1 alike. `cacheExpiryDateTime` only from a cache lifetime the operator set: the token's own
 * expiry is no cache lifetime (with none, the charger's AuthCacheLifeTime applies). Only with Accepted: an accepted
 * token refused for one start (an EVSE reserved for another: Invalid) must not stay refused in the charger's cache.
 */
export const idTokenInfoV2 = (d: TokenDecision): IdTokenInfo201 & IdTokenInfo21 => ({
  status: d.verdict,
  ...(d.cacheExpiresAt && d.verdict === 'Accepted' ? { cacheExpiryDateTime: d.cacheExpiresAt } : {}),
  ...(d.groupId ? { groupIdToken: groupIdTokenV2(d.groupId) } : {}),
  ...(d.personalMessage ? { personalMessage: d.personalMessage } : {}),
});
