/**
 * What a charger's local list should hold, and the SendLocalList messages that take it there (pure).
 *
 * The wanted list is the tokens put on the charger's list, then those put on its location's, each with the status its
 * token has now (blocked, expired, unknown once deleted: the token → info mapping of Authorize answers, without
 * concurrent use, which a list cannot express), cut at the charger's list capacity. A Full update is sent when we do
 * not know what the charger holds (no accepted update yet, a version it reported that is not the one our entries are
 * of, a VersionMismatch, entries of another OCPP version) or when asked; else a Differential one against the entries
 * our accepted updates put there. An update larger than a message may carry goes as several: a Full one with the
 * first part (or a Differential one), then Differential ones, each one version on. Removals go first, so the list
 * never grows past its capacity on the way.
 */
import { isDeepStrictEqual } from 'node:util';
import { isV16 } from '../command/answer.ts';
import type { SettingRef } from '../charger/configuration.ts';
import { idTagInfoV16, idTokenInfoV2 } from '../inbound/token-info.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { StoredLocalList } from '../store/local-list-store.ts';
import { decideToken, tokenForIdTag, type IdTokenRecord, type TokenPlace } from '../token/id-tokens.ts';
import { canonicalTokenValue } from '../token/token-value.ts';
import type { ListToken } from './list-tokens.ts';
import { tokenKey, type LocalListToken, type LocalListUpdateType } from './local-list.ts';

/** A token with the info the list should give it. */
export interface WantedEntry extends LocalListToken {
  info: Record<string, unknown>;
}

/** One item of a SendLocalList: with info it is added or changed, without (Differential only) removed. */
export type ListItem = LocalListToken & { info?: Record<string, unknown> };

export type LeftOutReason = 'over-capacity' | 'too-long-for-ocpp1.6';

export interface WantedList {
  entries: WantedEntry[];
  /** Assigned tokens the list cannot hold, in list order. */
  leftOut: (LocalListToken & { reason: LeftOutReason })[];
}

/** An id token's record by type and value (`recordKey`). */
export type TokenRecords = ReadonlyMap<string, IdTokenRecord>;
export const recordKey = (idTokenType: string, idToken: string): string => `${idTokenType}\u0000${canonicalTokenValue(idToken)}`;

/** OCPP 1.6 IdToken (idTag, parentIdTag) is CiString20Type: a longer one makes the whole message invalid. */
const MAX_V16_ID_TAG = 20;

/** 1.6 lists name a value: of the types put on the list with it, the one Authorize would pick (tokenForIdTag). */
const entriesV16 = (assigned: readonly Pick<ListToken, 'idToken' | 'idTokenType'>[], records: TokenRecords, now: Date, place: TokenPlace) => {
  // By canonical value (one entry however the assignments spell it), sent as the first assignment spells it.
  const byValue = new Map<string, { idToken: string; found: IdTokenRecord[] }>();
  for (const t of assigned) {
    const record = records.get(recordKey(t.idTokenType, t.idToken));
    const value = canonicalTokenValue(t.idToken);
    const entry = byValue.get(value) ?? { idToken: t.idToken, found: [] };
    byValue.set(value, { ...entry, found: [...entry.found, ...(record ? [record] : [])] });
  }
  return [...byValue.values()].map(({ idToken, found }): WantedEntry => ({
    idToken,
    info: idTagInfoV16(decideToken(tokenForIdTag(found), now, false, { place })) as unknown as Record<string, unknown>,
  }));
};

const entriesV2 = (assigned: readonly Pick<ListToken, 'idToken' | 'idTokenType'>[], records: TokenRecords, now: Date, place: TokenPlace) => {
  const unique = new Map(assigned.map((t) => [recordKey(t.idTokenType, t.idToken), t]));
  return [...unique].map(([key, t]): WantedEntry => ({
    idToken: t.idToken,
    idTokenType: t.idTokenType,
    info: idTokenInfoV2(decideToken(records.get(key), now, false, { place })) as unknown as Record<string, unknown>,
  }));
};

const fitsV16 = (e: WantedEntry) => e.idToken.length <= MAX_V16_ID_TAG && String(e.info.parentIdTag ?? '').length <= MAX_V16_ID_TAG;

/** The list a charger should hold: `assigned` in list order (its own tokens first, then its location's). */
export const wantedList = (input: {
  protocol: OcppProtocol;
  assigned: readonly Pick<ListToken, 'idToken' | 'idTokenType'>[];
  records: TokenRecords;
  now: Date;
  /** The charger the list is for: a token restricted to other chargers or locations goes on it refused. */
  place: TokenPlace;
  /** The charger's list capacity, when it told us. */
  maxEntries?: number;
}): WantedList => {
  const v16 = isV16(input.protocol);
  const all = (v16 ? entriesV16 : entriesV2)(input.assigned, input.records, input.now, input.place);
  const token = ({ idToken, idTokenType }: LocalListToken): LocalListToken => ({ idToken, ...(idTokenType !== undefined ? { idTokenType } : {}) });
  const fitting = v16 ? all.filter(fitsV16) : all;
  const kept = input.maxEntries === undefined ? fitting : fitting.slice(0, input.maxEntries);
  const keptKeys = new Set(kept.map(tokenKey));
  return {
    entries: kept,
    leftOut: all
      .filter((e) => !keptKeys.has(tokenKey(e)))
      .map((e) => ({ ...token(e), reason: v16 && !fitsV16(e) ? 'too-long-for-ocpp1.6' : 'over-capacity' })),
  };
};

export type FullUpdateReason = 'requested' | 'version-mismatch' | 'no-known-list' | 'version-differs' | 'other-protocol';

/** Why the next update must be Full, or undefined when a Differential one against the stored entries is right. */
export const fullUpdateReason = (protocol: OcppProtocol, known: StoredLocalList, requested: boolean): FullUpdateReason | undefined => {
  if (requested) return 'requested';
  if (known.fullUpdateDue) return 'version-mismatch';
  const v = known.version;
  if (v?.entriesVersion === undefined) return 'no-known-list';
  if (v.version !== v.entriesVersion) return 'version-differs';
  if (known.entries.some((e) => (e.idTokenType === undefined) !== isV16(protocol))) return 'other-protocol';
  return undefined;
};

export interface PlannedMessage {
  version: number;
  updateType: LocalListUpdateType;
  items: ListItem[];
}

export type ListPlan = { upToDate: true } | { upToDate: false; messages: PlannedMessage[] };

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** The differences of `wanted` from the stored entries: removals first, then additions and changes. */
const differences = (known: StoredLocalList, wanted: readonly WantedEntry[]): ListItem[] => {
  const stored = new Map(known.entries.map((e) => [tokenKey(e), e]));
  const wantedKeys = new Set(wanted.map(tokenKey));
  const removals = known.entries
    .filter((e) => !wantedKeys.has(tokenKey(e)))
    .map((e): ListItem => ({ idToken: e.idToken, ...(e.idTokenType !== undefined ? { idTokenType: e.idTokenType } : {}) }));
  // Deep equality ignores key order: DynamoDB does not keep the order of a map's keys.
  const changes = wanted.filter((w) => !isDeepStrictEqual(stored.get(tokenKey(w))?.info, w.info));
  return [...removals, ...changes];
};

/**
 * The messages that take the charger from `known` to `wanted`, numbered on from the higher of the version it holds
 * and the last one a sync sent (a sync still in flight is not overtaken by the same numbers).
 */
export const planUpdate = (input: {
  known: StoredLocalList;
  wanted: readonly WantedEntry[];
  full: FullUpdateReason | undefined;
  itemsPerMessage: number;
}): ListPlan => {
  const { known, wanted, full, itemsPerMessage } = input;
  const from = Math.max(known.version?.version ?? 0, known.lastSync?.sentVersion ?? 0);
  const numbered = (parts: ListItem[][], first: LocalListUpdateType): ListPlan => ({
    upToDate: false,
    messages: parts.map((items, i) => ({ version: from + 1 + i, updateType: i === 0 ? first : 'Differential', items })),
  });
  // An empty Full update is one message: it empties the list.
  if (full) return numbered(wanted.length === 0 ? [[]] : chunks(wanted, itemsPerMessage), 'Full');
  const changes = differences(known, wanted);
  return changes.length === 0 ? { upToDate: true } : numbered(chunks(changes, itemsPerMessage), 'Differential');
};

/** A SendLocalList payload of one planned message, in the charger's OCPP version. */
export const sendLocalListPayload = (protocol: OcppProtocol, m: PlannedMessage): Record<string, unknown> => {
  const v16 = isV16(protocol);
  const list = m.items.map((i) =>
    v16
      ? { idTag: i.idToken, ...(i.info ? { idTagInfo: i.info } : {}) }
      : { idToken: { idToken: i.idToken, type: i.idTokenType }, ...(i.info ? { idTokenInfo: i.info } : {}) },
  );
  return {
    ...(v16 ? { listVersion: m.version } : { versionNumber: m.version }),
    updateType: m.updateType,
    // 2.x requires at least one item when the list is there (minItems 1): an empty Full update leaves it out.
    ...(list.length > 0 ? { localAuthorizationList: list } : {}),
  };
};

/** A SendLocalList's size cap when the charger states none, and at most: 100 entries keep a frame far below 128 KB. */
export const MAX_ITEMS_PER_MESSAGE = 100;

/** The settings that bound a list: 1.6 configuration keys; the 2.x variable of LocalAuthListCtrlr (see the README). */
export const limitSettings = (protocol: OcppProtocol): { maxEntries?: SettingRef; perMessage: SettingRef } =>
  isV16(protocol)
    ? { maxEntries: { key: 'LocalAuthListMaxLength' }, perMessage: { key: 'SendLocalListMaxLength' } }
    : { perMessage: { component: { name: 'LocalAuthListCtrlr' }, variable: { name: 'ItemsPerMessage' }, attributeType: 'Actual' } };

const count = (value: string | undefined, min: number): number | undefined =>
  value !== undefined && /^\d{1,9}$/.test(value.trim()) && Number(value) >= min ? Number(value) : undefined;

export interface ListLimits {
  maxEntries?: number;
  itemsPerMessage: number;
}

/** The limits the stored setting values give (absent or not a count: unknown). */
export const listLimits = (values: { maxEntries?: string; perMessage?: string }): ListLimits => {
  const maxEntries = count(values.maxEntries, 0);
  return {
    ...(maxEntries !== undefined ? { maxEntries } : {}),
    itemsPerMessage: Math.min(count(values.perMessage, 1) ?? MAX_ITEMS_PER_MESSAGE, MAX_ITEMS_PER_MESSAGE),
  };
};
