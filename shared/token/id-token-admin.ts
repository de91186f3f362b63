/**
 * Id tokens as operators manage them (REST API, imports): the representation, and create, edit, delete with
 * optimistic concurrency. The record is the one chargers are authorized against (id-tokens.ts), in the same store:
 * a token blocked here is refused at the next Authorize.
 */
import * as z from 'zod';
import { failure, success, type Outcome } from '../api/outcome.ts';
import { ifMatchAdmits } from '../api/etag.ts';
import type { Ports } from '../deps.ts';
import type { Page, PageOptions } from '../store/queries.ts';
import { CHARGER_ID_PATTERN } from '../charger/charger-id.ts';
import { LOCATION_ID_PATTERN } from '../location/location-schema.ts';
import type { IdTokenRecord } from './id-tokens.ts';

/**
 * OCPP 2.0.1 IdTokenEnumType, and the types OCPP 2.1 adds (DirectPayment, EVCCID, VIN). `NoAuthorization` is left out:
 * a charger sends it for a free vend, and it is never looked up.
 */
export const ID_TOKEN_TYPES = ['Central', 'DirectPayment', 'eMAID', 'EVCCID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'VIN'] as const;
/** What an OCPP 1.6 idTag almost always is (an RFID card); 1.6 finds a value among its types (id-tokens.ts). */
export const DEFAULT_ID_TOKEN_TYPE = 'ISO14443';
/**
 * OCPP 2.x IdTokenType.idToken is at most 36 characters (a 1.6 idTag at most 20: a longer token is refused by 1.6
 * chargers' own schema). Visible ASCII without `/`, so a value is always one path segment of `/id-tokens/{type}/{value}`.
 */
export const ID_TOKEN_VALUE = z.string().min(1).max(36).regex(/^[\x21-\x2e\x30-\x7e]+$/, 'visible ASCII characters except /');
const isoTime = z.iso.datetime({ offset: true });
const text = z.string().min(1).max(200);

export const IdTokenTypeSchema = z.enum(ID_TOKEN_TYPES);
/**
 * Transactions a token may be in at once (shared/transaction/token-use.ts; absent: 1): a whole number, or
 * `unlimited` (a fleet card). A CSV cell's digits are read as the number.
 */
export const MaxConcurrentSchema = z.union([
  z.literal('unlimited'),
  z.number().int().min(1).max(1000),
  z.string().regex(/^\d{1,4}$/, 'a whole number or unlimited').transform(Number).pipe(z.number().int().min(1).max(1000)),
]);
export const IdTokenStatusSchema = z.enum(['active', 'blocked']);

/** Chargers or locations a token is restricted to: a bound that keeps the item small (a larger estate: use locations). */
export const MAX_ALLOWED_PLACES = 100;
const AllowedChargersSchema = z
  .array(z.string().regex(CHARGER_ID_PATTERN, 'a charger id: 1-48 characters of A-Z a-z 0-9 * - _ = : + | @ .'))
  .min(1, 'name at least one charger (null removes the restriction)')
  .max(MAX_ALLOWED_PLACES);
const AllowedLocationsSchema = z
  .array(z.string().regex(LOCATION_ID_PATTERN, 'a location id: 1-64 characters of A-Z a-z 0-9 . _ ~ -'))
  .min(1, 'name at least one location (null removes the restriction)')
  .max(MAX_ALLOWED_PLACES);
/** Up to a year: the longest a charger should trust a cached answer without asking again. */
export const MAX_CACHE_LIFETIME_SECONDS = 366 * 24 * 3600;
const CacheLifetimeSchema = z.number().int().min(1).max(MAX_CACHE_LIFETIME_SECONDS);
/** OCPP 2.0.1 MessageContentType: its formats (2.1's QRCODE would not pass a 2.0.1 charger's schema) and limits. */
export const PersonalMessageSchema = z.strictObject({
  format: z.enum(['ASCII', 'HTML', 'URI', 'UTF8']),
  language: z
    .string()
    .max(8)
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'an RFC 5646 language tag, e.g. en or de-CH')
    .optional(),
  content: z.string().min(1).max(512),
});

const MASTER_PASS_NEEDS_GROUP =
  'a master pass token needs the groupId of its master pass group (the id chargers have as AuthCtrlr.MasterPassGroupId)';

/** A new token (POST /id-tokens, one row of an import). */
export const NewIdTokenSchema = z.strictObject({
  type: IdTokenTypeSchema.default(DEFAULT_ID_TOKEN_TYPE),
  value: ID_TOKEN_VALUE,
  status: IdTokenStatusSchema.default('active'),
  validUntil: isoTime.optional(),
  groupId: ID_TOKEN_VALUE.optional(),
  masterPass: z.boolean().optional(),
  allowedChargers: AllowedChargersSchema.optional(),
  allowedLocations: AllowedLocationsSchema.optional(),
  cacheLifetimeSeconds: CacheLifetimeSchema.optional(),
  personalMessage: PersonalMessageSchema.optional(),
  label: text.optional(),
  owner: text.optional(),
  maxConcurrentTransactions: MaxConcurrentSchema.optional(),
}).refine((t) => t.masterPass !== true || t.groupId !== undefined, { message: MASTER_PASS_NEEDS_GROUP, path: ['groupId'] });
export type NewIdTokenInput = z.output<typeof NewIdTokenSchema>;

/** A change (PATCH): `null` removes an optional field; type and value identify the token and never change. */
export const IdTokenChangeSchema = z
  .strictObject({
    status: IdTokenStatusSchema.optional(),
    validUntil: isoTime.nullable().optional(),
    groupId: ID_TOKEN_VALUE.nullable().optional(),
    masterPass: z.boolean().optional(),
    allowedChargers: AllowedChargersSchema.nullable().optional(),
    allowedLocations: AllowedLocationsSchema.nullable().optional(),
    cacheLifetimeSeconds: CacheLifetimeSchema.nullable().optional(),
    personalMessage: PersonalMessageSchema.nullable().optional(),
    label: text.nullable().optional(),
    owner: text.nullable().optional(),
    /** null: back to the default, 1. */
    maxConcurrentTransactions: MaxConcurrentSchema.nullable().optional(),
  })
  .refine((c) => Object.keys(c).length > 0, { message: 'name at least one field to change' });
export type IdTokenChange = z.output<typeof IdTokenChangeSchema>;

/** The representation (what GET answers and the ETag digests). */
export const IdTokenViewSchema = z.object({
  type: z.string(),
  value: z.string(),
  status: IdTokenStatusSchema,
  validUntil: z.string().optional(),
  groupId: z.string().optional(),
  masterPass: z.boolean().optional(),
  allowedChargers: z.array(z.string()).optional(),
  allowedLocations: z.array(z.string()).optional(),
  cacheLifetimeSeconds: z.number().optional(),
  personalMessage: PersonalMessageSchema.optional(),
  label: z.string().optional(),
  owner: z.string().optional(),
  maxConcurrentTransactions: z.union([z.number(), z.literal('unlimited')]).optional(),
  createdAt: z.string(),
  createdBy: z.string().optional(),
  updatedAt: z.string().optional(),
  updatedBy: z.string().optional(),
});
export type IdTokenView = z.output<typeof IdTokenViewSchema>;

/** The fields of issue 11 (groups, restrictions, 2.x answers), the same in the record, the view and a new token. */
type AuthorizationFields = Pick<IdTokenRecord, 'masterPass' | 'allowedChargers' | 'allowedLocations' | 'cacheLifetimeSeconds' | 'personalMessage'>;

/** Only what is set: `masterPass` only when true (false is its absence). */
const optionalFields = (t: AuthorizationFields): AuthorizationFields => ({
  ...(t.masterPass === true ? { masterPass: true } : {}),
  ...(t.allowedChargers !== undefined ? { allowedChargers: t.allowedChargers } : {}),
  ...(t.allowedLocations !== undefined ? { allowedLocations: t.allowedLocations } : {}),
  ...(t.cacheLifetimeSeconds !== undefined ? { cacheLifetimeSeconds: t.cacheLifetimeSeconds } : {}),
  ...(t.personalMessage !== undefined ? { personalMessage: t.personalMessage } : {}),
});

export const idTokenView = (t: IdTokenRecord): IdTokenView => ({
  type: t.tokenType,
  value: t.value,
  status: t.blocked ? 'blocked' : 'active',
  ...(t.expiresAt !== undefined ? { validUntil: t.expiresAt } : {}),
  ...(t.groupId !== undefined ? { groupId: t.groupId } : {}),
  ...optionalFields(t),
  ...(t.label !== undefined ? { label: t.label } : {}),
  ...(t.owner !== undefined ? { owner: t.owner } : {}),
  ...(t.maxConcurrentTransactions !== undefined ? { maxConcurrentTransactions: t.maxConcurrentTransactions } : {}),
  createdAt: t.createdAt,
  ...(t.createdBy !== undefined ? { createdBy: t.createdBy } : {}),
  ...(t.updatedAt !== undefined ? { updatedAt: t.updatedAt } : {}),
  ...(t.updatedBy !== undefined ? { updatedBy: t.updatedBy } : {}),
});

const utc = (iso: string) => new Date(iso).toISOString();

const recordOf = (input: NewIdTokenInput, by: string, now: Date): IdTokenRecord => ({
  value: input.value,
  tokenType: input.type,
  blocked: input.status === 'blocked',
  // UTC, so it compares and sorts as a string.
  ...(input.validUntil !== undefined ? { expiresAt: utc(input.validUntil) } : {}),
  ...(input.groupId !== undefined ? { groupId: input.groupId } : {}),
  ...optionalFields(input),
  ...(input.label !== undefined ? { label: input.label } : {}),
  ...(input.owner !== undefined ? { owner: input.owner } : {}),
  ...(input.maxConcurrentTransactions !== undefined ? { maxConcurrentTransactions: input.maxConcurrentTransactions } : {}),
  createdAt: now.toISOString(),
  createdBy: by,
  version: 1,
});

/** `conflict` when a token with this type and value exists (never overwritten). */
export const addIdToken = async (deps: Ports, input: NewIdTokenInput, by: string): Promise<Outcome<IdTokenView>> => {
  const record = recordOf(input, by, deps.now());
  return (await deps.stores.idTokens.createIfAbsent(record)) === 'created'
    ? success(idTokenView(record))
    : failure('conflict', `An id token ${input.type} ${input.value} exists already (values are case-insensitive)`, '/value');
};

export const getIdToken = async (deps: Ports, type: string, value: string): Promise<Outcome<IdTokenView>> => {
  const token = await deps.stores.idTokens.get(value, type);
  return token ? success(idTokenView(token)) : failure('not-found', `No id token ${type} ${value}`);
};

export const listIdTokens = async (deps: Ports, options: PageOptions & { groupId?: string }): Promise<Page<IdTokenView>> => {
  const page = await deps.stores.idTokens.list(options);
  return { ...page, items: page.items.map(idTokenView) };
};

/** The current token, if `ifMatch` admits it as the caller last read it. */
const current = async (deps: Ports, type: string, value: string, ifMatch: string): Promise<Outcome<IdTokenRecord>> => {
  const token = await deps.stores.idTokens.get(value, type);
  if (!token) return failure('not-found', `No id token ${type} ${value}`);
  if (!ifMatchAdmits(ifMatch, idTokenView(token))) return failure('precondition-failed', 'The id token changed since you read it: read it again');
  return success(token);
};

type OptionalField = 'expiresAt' | 'groupId' | 'label' | 'owner' | 'maxConcurrentTransactions' | keyof AuthorizationFields;

/** `null` removes the field, `undefined` leaves it as it is. */
const assign = <F extends OptionalField>(t: IdTokenRecord, field: F, v: IdTokenRecord[F] | null | undefined) => {
  if (v === null) delete t[field];
  else if (v !== undefined) t[field] = v;
};

const applyChange = (t: IdTokenRecord, c: IdTokenChange): IdTokenRecord => {
  const next: IdTokenRecord = { ...t, ...(c.status !== undefined ? { blocked: c.status === 'blocked' } : {}) };
  assign(next, 'expiresAt', c.validUntil === undefined || c.validUntil === null ? c.validUntil : utc(c.validUntil));
  assign(next, 'groupId', c.groupId);
  assign(next, 'label', c.label);
  assign(next, 'owner', c.owner);
  // Stored only when true, as a new token stores it.
  assign(next, 'masterPass', c.masterPass === false ? null : c.masterPass);
  assign(next, 'allowedChargers', c.allowedChargers);
  assign(next, 'allowedLocations', c.allowedLocations);
  assign(next, 'cacheLifetimeSeconds', c.cacheLifetimeSeconds);
  assign(next, 'personalMessage', c.personalMessage);
  // null: back to the default, 1.
  assign(next, 'maxConcurrentTransactions', c.maxConcurrentTransactions);
  return next;
};

/** Blocking a token is a change of `status`: the next Authorize with it is refused (Blocked). */
export const changeIdToken = async (deps: Ports, type: string, value: string, change: IdTokenChange, ifMatch: string, by: string): Promise<Outcome<IdTokenView>> => {
  const read = await current(deps, type, value, ifMatch);
  if (!read.ok) return read;
  const before = read.value;
  const version = before.version ?? 0;
  const next: IdTokenRecord = { ...applyChange(before, change), updatedAt: deps.now().toISOString(), updatedBy: by, version: version + 1 };
  // The change alone may be fine and the token it makes not (masterPass on a token without a group, or its group removed).
  if (next.masterPass === true && next.groupId === undefined) return failure('invalid', MASTER_PASS_NEEDS_GROUP, change.masterPass === true ? '/masterPass' : '/groupId');
  return (await deps.stores.idTokens.replaceIfVersion(next, version))
    ? success(idTokenView(next))
    : failure('precondition-failed', 'The id token changed meanwhile: read it again');
};

/**
 * Deletes the token itself. Transactions holding it keep running (a charger does not ask again mid-session) and their
 * token-use items stay in the value's partition until they end, so the value stays ConcurrentTx while one is open,
 * even if the token is created again.
 */
export const removeIdToken = async (deps: Ports, type: string, value: string, ifMatch: string): Promise<Outcome<void>> => {
  const read = await current(deps, type, value, ifMatch);
  if (!read.ok) return read;
  return (await deps.stores.idTokens.deleteIfVersion(value, type, read.value.version ?? 0))
    ? success(undefined)
    : failure('precondition-failed', 'The id token changed meanwhile: read it again');
};
