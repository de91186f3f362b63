/**
 * A charger's local authorization list as the CSMS last knows it: the version the charger holds and the entries our
 * accepted SendLocalList commands put there. A Full update replaces every entry, a Differential one adds or changes
 * the entries that carry token info and removes those that carry none (1.6 §5.15, 2.0.1 D01/D02). A
 * GetLocalListVersion answer tells the version only: when it differs from `entriesVersion`, the entries shown are
 * those of an older list (changed on the charger meanwhile, or by another CSMS).
 */
import type { OcppProtocol } from '../ocpp/frames.ts';
import type { Ocpp16CsmsActions } from '../ocpp/generated/ocpp16.types.ts';
import type { Ocpp201CsmsActions } from '../ocpp/generated/ocpp201.types.ts';
import { isV16 } from '../command/answer.ts';
import { canonicalTokenValue } from '../token/token-value.ts';

export type LocalListUpdateType = 'Full' | 'Differential';

/** One token on the list: 1.6 idTag (no type) or 2.x idToken with its type. */
export interface LocalListToken {
  idToken: string;
  idTokenType?: string;
}

export interface LocalListEntry extends LocalListToken {
  chargerId: string;
  /** 1.6 idTagInfo or 2.x idTokenInfo, as sent. */
  info: Record<string, unknown>;
  /** The list version that wrote it, and the SendLocalList command. */
  listVersion: number;
  commandId: string;
  updatedAt: string;
}

/** Where the known version came from. */
export type LocalListVersionSource = 'SendLocalList' | 'GetLocalListVersion';

export interface LocalListVersion {
  chargerId: string;
  /** 1.6: -1 when the charger does not support a local list, 0 when it holds none. */
  version: number;
  versionFrom: LocalListVersionSource;
  versionAt: string;
  /** The command whose answer told it. */
  commandId: string;
  /** The version the entries are of, and when they were written (accepted SendLocalList only). */
  entriesVersion?: number;
  entriesAt?: string;
  updateType?: LocalListUpdateType;
}

/** A SendLocalList the charger refused with VersionMismatch: its list is not what we think, so the next sync is Full. */
export interface FullUpdateDue {
  because: 'VersionMismatch';
  commandId: string;
  at: string;
}

/**
 * The last sync (local-list-sync.ts): the highest version it sent, so the next one numbers on from it even before
 * the charger answered, and its commands.
 */
export interface LocalListSync {
  sentVersion: number;
  updateType: LocalListUpdateType;
  commandIds: string[];
  sentAt: string;
  sentBy: string;
}

/** What one SendLocalList asks for, its entries reduced to one per token (the last one sent wins). */
export interface LocalListUpdate {
  version: number;
  updateType: LocalListUpdateType;
  /** Entries with token info: on the list after the update. */
  upserts: (LocalListToken & { info: Record<string, unknown> })[];
  /** Differential: tokens sent without info, taken off the list. */
  removals: LocalListToken[];
}

type SendLocalList16 = Ocpp16CsmsActions['SendLocalList']['request'];
type SendLocalList2 = Ocpp201CsmsActions['SendLocalList']['request'];

/** One entry per token: 1.6 by idTag, 2.x by idToken and type; values in any case are one token. */
export const tokenKey = (t: LocalListToken) => `${canonicalTokenValue(t.idToken)}\u0000${t.idTokenType ?? ''}`;

/** The update a (schema-checked) SendLocalList payload asks for, in the terms of both versions. */
export const localListUpdateOf = (protocol: OcppProtocol, payload: unknown): LocalListUpdate => {
  const sent: (LocalListToken & { info?: Record<string, unknown> })[] = isV16(protocol)
    ? ((payload as SendLocalList16).localAuthorizationList ?? []).map((e) => ({ idToken: e.idTag, ...(e.idTagInfo ? { info: e.idTagInfo } : {}) }))
    : ((payload as SendLocalList2).localAuthorizationList ?? []).map((e) => ({
        idToken: e.idToken.idToken,
        idTokenType: e.idToken.type,
        ...(e.idTokenInfo ? { info: e.idTokenInfo as unknown as Record<string, unknown> } : {}),
      }));
  const last = [...new Map(sent.map((e) => [tokenKey(e), e])).values()];
  const version = isV16(protocol) ? (payload as SendLocalList16).listVersion : (payload as SendLocalList2).versionNumber;
  const { updateType } = payload as SendLocalList16 | SendLocalList2;
  return {
    version,
    updateType,
    upserts: last.flatMap((e) => (e.info ? [{ ...e, info: e.info }] : [])),
    // A Full list is exactly its entries with info: an entry without is simply not on it.
    removals: updateType === 'Differential' ? last.flatMap((e) => (e.info ? [] : [{ idToken: e.idToken, ...(e.idTokenType !== undefined ? { idTokenType: e.idTokenType } : {}) }])) : [],
  };
};

/** A GetLocalListVersion answer's version (1.6 listVersion, 2.x versionNumber). */
export const answeredListVersion = (protocol: OcppProtocol, result: unknown): number | undefined => {
  const r = result as { listVersion?: unknown; versionNumber?: unknown };
  const version = isV16(protocol) ? r.listVersion : r.versionNumber;
  return typeof version === 'number' ? version : undefined;
};
