/**
 * Id tokens (RFID cards, app tokens, eMAIDs), one store for every OCPP version. The decision whether a
 * token may charge is a pure function of the token, the time and whether it already has an open
 * transaction; the protocol adapters translate the neutral outcome into each version's enum.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mapPage, queryPage, type Page, type PageOptions } from '../store/queries.ts';
import type { StoreDeps } from '../deps.ts';
import { idTokenGroupPk, idTokenKey, tokenTransactionsPk, withoutKeys } from '../store/keys.ts';
import { isConditionFailed } from '../store/document-client.ts';

export interface IdTokenRecord {
  value: string;
  /** OCPP 2.x IdTokenEnumType (ISO14443, eMAID, Central, ...); informational for 1.6. */
  tokenType: string;
  blocked: boolean;
  /** ISO 8601; absent = never expires. */
  expiresAt?: string;
  /** Parent / group id token (1.6 parentIdTag, 2.x groupIdToken). */
  groupId?: string;
  label?: string;
  createdAt: string;
}

export type TokenVerdict = 'Accepted' | 'Blocked' | 'Expired' | 'Unknown' | 'ConcurrentTx';

export interface TokenDecision {
  verdict: TokenVerdict;
  expiresAt?: string;
  groupId?: string;
}

/** Pure: blocked beats expired beats concurrent use. */
export const decideToken = (token: IdTokenRecord | undefined, now: Date, hasOpenTransaction: boolean): TokenDecision => {
  if (!token) return { verdict: 'Unknown' };
  const facts = {
    ...(token.expiresAt ? { expiresAt: token.expiresAt } : {}),
    ...(token.groupId ? { groupId: token.groupId } : {}),
  };
  if (token.blocked) return { verdict: 'Blocked', ...facts };
  if (token.expiresAt && Date.parse(token.expiresAt) <= now.getTime()) return { verdict: 'Expired', ...facts };
  if (hasOpenTransaction) return { verdict: 'ConcurrentTx', ...facts };
  return { verdict: 'Accepted', ...facts };
};

const ALL_TOKENS_PK = 'IDTOKENS';

export interface NewIdToken {
  value: string;
  tokenType?: string;
  blocked?: boolean;
  expiresAt?: string;
  groupId?: string;
  label?: string;
}

export const createIdToken = async (deps: StoreDeps, input: NewIdToken): Promise<IdTokenRecord | undefined> => {
  const record: IdTokenRecord = {
    value: input.value,
    tokenType: input.tokenType ?? 'ISO14443',
    blocked: input.blocked ?? false,
    createdAt: deps.now().toISOString(),
    // Stored as UTC ISO so that it compares and sorts as a string.
    ...(input.expiresAt ? { expiresAt: new Date(input.expiresAt).toISOString() } : {}),
    ...(input.groupId ? { groupId: input.groupId } : {}),
    ...(input.label ? { label: input.label } : {}),
  };
  try {
    await deps.db.send(
      new PutCommand({
        TableName: deps.tables.csms,
        Item: {
          ...idTokenKey(input.value),
          type: 'IdToken',
          gsi2pk: ALL_TOKENS_PK,
          gsi2sk: input.value,
          ...(input.groupId ? { gsi1pk: idTokenGroupPk(input.groupId), gsi1sk: input.value } : {}),
          ...record,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return record;
  } catch (error) {
    if (isConditionFailed(error)) return undefined;
    throw error;
  }
};

const strip = (item: Record<string, unknown>) => withoutKeys<IdTokenRecord>(item);

export const getIdToken = async (deps: StoreDeps, value: string): Promise<IdTokenRecord | undefined> => {
  const out = await deps.db.send(new GetCommand({ TableName: deps.tables.csms, Key: idTokenKey(value) }));
  return out.Item ? strip(out.Item) : undefined;
};

export const listIdTokens = async (deps: StoreDeps, options: PageOptions & { groupId?: string } = {}): Promise<Page<IdTokenRecord>> => {
  const { groupId, ...page } = options;
  const query = groupId !== undefined ? { index: 'gsi1' as const, pk: idTokenGroupPk(groupId) } : { index: 'gsi2' as const, pk: ALL_TOKENS_PK };
  return mapPage(await queryPage(deps, query, page), strip);
};

export const setIdTokenBlocked = async (deps: StoreDeps, value: string, blocked: boolean): Promise<boolean> => {
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tables.csms,
        Key: idTokenKey(value),
        UpdateExpression: 'SET blocked = :b',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':b': blocked },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
};

/** Whether the token has a transaction that has not ended (newest few by start time on gsi2). */
export const hasOpenTransaction = async (deps: StoreDeps, value: string, exceptTransactionId?: string): Promise<boolean> => {
  const recent = await queryPage(deps, { index: 'gsi2', pk: tokenTransactionsPk(value) }, { newestFirst: true, limit: 10 });
  return recent.items.some((t) => t.status === 'active' && t.transactionId !== exceptTransactionId);
};

/** The whole authorization decision for a presented token. */
export const authorizeToken = async (
  deps: StoreDeps,
  value: string,
  options: { exceptTransactionId?: string } = {},
): Promise<TokenDecision> => {
  const [token, open] = await Promise.all([getIdToken(deps, value), hasOpenTransaction(deps, value, options.exceptTransactionId)]);
  return decideToken(token, deps.now(), open);
};

/**
 * A 2.x token with its type. `NoAuthorization` (free vend: the charger started without asking) is not a token
 * to look up: it is accepted as it is.
 */
export const authorizeTypedToken = async (
  deps: StoreDeps,
  token: { value: string; type: string },
  options: { exceptTransactionId?: string } = {},
): Promise<TokenDecision> =>
  token.type === 'NoAuthorization' ? { verdict: 'Accepted' } : authorizeToken(deps, token.value, options);
