/**
 * Every key of the data model, built in this one file, so docs/data-model.md and the code agree. Numbers in
 * sort keys are zero-padded so that string order is numeric order; times are UTC ISO-8601 so that string
 * order is time order.
 */
import { createHash, randomUUID } from 'node:crypto';
import { chargerIdKey } from '../charger/charger-id.ts';
import type { ReportKind } from '../charger/report.ts';
import type { SettingRef } from '../charger/configuration.ts';
import type { ReservationStatus } from '../reservation/reservation.ts';
import { canonicalTokenValue } from '../token/token-value.ts';
import { csmsTable } from './tables.ts';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

// Charger partition: profile and credentials under the id in lower case (ids are case-insensitive: any case a
// charger or operator presents finds them); presence and connectors under the id as registered, which is what
// the authorizer context carries on every event.
/** Every charger partition's key starts with it (the authorizer's IAM leading-key condition names it). */
export const CHARGER_PK_PREFIX = 'CHARGER#';
export const chargerKey = (chargerId: string) => ({ pk: `${CHARGER_PK_PREFIX}${chargerIdKey(chargerId)}`, sk: 'CHARGER' });
/** The password hash, apart from the profile: stream consumers never subscribe to it (functions/_routes/rules.ts). */
export const credentialsKey = (chargerId: string) => ({ pk: `${CHARGER_PK_PREFIX}${chargerIdKey(chargerId)}`, sk: 'CREDENTIALS' });
export const CREDENTIALS_ITEM_TYPE = 'ChargerCredentials';
export const ENROLMENT_ITEM_TYPE = 'EnrolmentCode';
/**
 * Item types that hold password hashes (or MACs of codes): no stream route may subscribe to them (rules.ts), so they
 * reach no consumer of the table's stream. Every other item is free of them.
 */
export const SECRET_ITEM_TYPES: readonly string[] = [CREDENTIALS_ITEM_TYPE, ENROLMENT_ITEM_TYPE];
export const presenceKey = (chargerId: string) => ({ pk: `CHARGER#${chargerId}`, sk: 'PRESENCE' });
export const connectorsPk = (chargerId: string) => `CHARGER#${chargerId}`;

/**
 * gsi2 of a presence item while it is connected (removed by $disconnect): live connections by when they opened,
 * spread over LIVE_SHARDS partitions so a reconnect storm does not write one index partition.
 */
export const LIVE_SHARDS = 16;
export const liveConnectionsPk = (shard: number) => `LIVE#${shard}`;
const shardOf = (chargerId: string): number => {
  let h = 0;
  for (const c of chargerId) h = (h * 31 + (c.codePointAt(0) ?? 0)) >>> 0;
  return h % LIVE_SHARDS;
};
export const liveConnectionIndex = (chargerId: string, connectedAt: number) => ({
  gsi2pk: liveConnectionsPk(shardOf(chargerId)),
  gsi2sk: new Date(connectedAt).toISOString(),
});
export const connectorKey = (chargerId: string, evseId: number, connectorId: number) => ({
  pk: connectorsPk(chargerId),
  sk: `CONNECTOR#${pad(evseId, 4)}#${pad(connectorId, 4)}`,
});
export const CONNECTOR_PREFIX = 'CONNECTOR#';
/** The sort keys of an EVSE's connectors 1-9999 (connector 0, the EVSE as a whole, left out), first and last. */
export const evseConnectorsRange = (evseId: number): [string, string] => [`${CONNECTOR_PREFIX}${pad(evseId, 4)}#0001`, `${CONNECTOR_PREFIX}${pad(evseId, 4)}#9999`];
/** gsi2: every charger, by id. Profile items change rarely, so the one partition stays cool. */
export const allChargersIndex = (chargerId: string) => ({ gsi2pk: 'CHARGERS', gsi2sk: chargerId });
export const ALL_CHARGERS_PK = 'CHARGERS';
/** gsi1: chargers of a location. */
export const locationChargersIndex = (locationId: string, chargerId: string) => ({ gsi1pk: locationChargersPk(locationId), gsi1sk: chargerId });
export const locationChargersPk = (locationId: string) => `LOCATION#${locationId}`;
/** Every location item's partition key starts with it (IAM leading-key conditions name it). */
export const LOCATION_PK_PREFIX = 'LOCATION#';
/** A location (issue 9). Its table key shares the `LOCATION#` text with the chargers-of-a-location gsi1 key, on another index. */
export const locationKey = (locationId: string) => ({ pk: `${LOCATION_PK_PREFIX}${locationId}`, sk: 'LOCATION' });
/** gsi2: every location, by id (one partition: locations are few and change rarely). */
export const ALL_LOCATIONS_PK = 'LOCATIONS';
export const allLocationsIndex = (locationId: string) => ({ gsi2pk: ALL_LOCATIONS_PK, gsi2sk: locationId });
/** gsi1 of an auto-registered charger while it is pending (it has no location yet): the pending cap counts them. */
export const PENDING_AUTO_REGISTERED_PK = 'CHARGERS#AUTOREGISTERED#PENDING';
export const pendingAutoRegisteredIndex = (chargerId: string) => ({ gsi1pk: PENDING_AUTO_REGISTERED_PK, gsi1sk: chargerId });
/** Every enrolment code's partition key starts with it (the authorizer's leading-key condition names it too). */
export const ENROLMENT_PK_PREFIX = 'ENROLMENT#';
/** An operator's one-time enrolment code, by the MAC of the code under the password pepper. */
export const enrolmentKey = (codeMac: string) => ({ pk: `${ENROLMENT_PK_PREFIX}${codeMac}`, sk: 'ENROLMENT' });

/** Partition prefixes of a charger's history (IAM leading-key conditions of the routes that read or purge it). */
export const STATUS_PK_PREFIX = 'STATUS#';
export const TIMELINE_PK_PREFIX = 'TIMELINE#';
export const REPORT_PK_PREFIX = 'REPORT#';
export const statusHistoryPk = (chargerId: string, evseId: number, connectorId: number) =>
  `${STATUS_PK_PREFIX}${chargerId}#${evseId}#${connectorId}`;
export const statusHistoryKey = (chargerId: string, evseId: number, connectorId: number, timestamp: string, fact: unknown) => ({
  pk: statusHistoryPk(chargerId, evseId, connectorId),
  sk: `${timestamp}#${contentKey(fact)}`,
});

// Transactions (every version), their raw 2.x events, and their indexes.
export const transactionKey = (chargerId: string, transactionId: string) => ({
  pk: `TX#${chargerId}#${transactionId}`,
  sk: 'TX',
});
export const transactionEventKey = (chargerId: string, transactionId: string, seqNo: number) => ({
  pk: `TX#${chargerId}#${transactionId}`,
  sk: `${TRANSACTION_EVENT_PREFIX}${pad(seqNo, 10)}`,
});
/** gsi5: transactions of a charger by the time we first received them. */
export const chargerTransactionsPk = (chargerId: string) => `CHARGER#${chargerId}#TX`;
/** gsi6: transactions of an id token (by its value in canonical form, whatever its type) by the time we first received them. */
export const tokenTransactionsPk = (idTokenValue: string) => `IDTOKEN#${canonicalTokenValue(idTokenValue)}#TX`;
/** gsi7: transactions at a location (the charger's location when the transaction started). */
export const locationTransactionsPk = (locationId: string) => `LOCATION#${locationId}#TX`;
/** gsi8: transactions by state; an ending transaction moves from the first partition to the second. */
export type TransactionState = 'active' | 'ended';
export const stateTransactionsPk = (state: TransactionState) => (state === 'active' ? 'TXS#ACTIVE' : 'TXS#ENDED');
export interface TransactionIndexFacts {
  chargerId: string;
  transactionId: string;
  /** When we first received a message of it (never the charger's clock). */
  receivedAt: string;
  status: TransactionState;
  idToken?: string;
  locationId?: string;
}
/**
 * Every index a transaction item is in: one sort key (time received, then id) in each partition. Indexes of their own,
 * keys only (shared/store/tables.ts): a running transaction's updates change none of these keys, so they write no
 * index; only its start, its end (the state moves) and a late-known token or location do.
 */
export const transactionIndexes = (tx: TransactionIndexFacts) => {
  const at = `${tx.receivedAt}#${tx.transactionId}`;
  return {
    gsi5pk: chargerTransactionsPk(tx.chargerId),
    gsi5sk: at,
    ...(tx.idToken ? { gsi6pk: tokenTransactionsPk(tx.idToken), gsi6sk: at } : {}),
    ...(tx.locationId ? { gsi7pk: locationTransactionsPk(tx.locationId), gsi7sk: at } : {}),
    gsi8pk: stateTransactionsPk(tx.status),
    gsi8sk: at,
  };
};
/** Every transaction partition (item and raw events) starts with it: the REST reads' leading-key condition. */
export const TRANSACTION_PK_PREFIX = 'TX#';
/** The raw events' sort keys start with it. */
export const TRANSACTION_EVENT_PREFIX = 'EVENT#';

// Meter values: by charger and time; a transaction's by gsi1.
export const meterPk = (chargerId: string) => `METER#${chargerId}`;
export const transactionMetersPk = (chargerId: string, transactionId: string) => `TX#${chargerId}#${transactionId}`;
export const METER_INDEX_PREFIX = 'METER#';
export const meterKeys = (chargerId: string, timestamp: string, fact: unknown, transactionId?: string) => {
  const sk = `${timestamp}#${contentKey(fact)}`;
  return {
    pk: meterPk(chargerId),
    sk,
    ...(transactionId !== undefined ? { gsi1pk: transactionMetersPk(chargerId, transactionId), gsi1sk: `${METER_INDEX_PREFIX}${sk}` } : {}),
  };
};

// Id tokens: identified by value and type (OCPP 2.x IdTokenType); OCPP 1.6 looks a value up across types. Values are
// case-insensitive, so every key built from one (a group id too) holds its canonical form (shared/token/token-value.ts):
// any case a charger or operator presents finds the token, and two case variants are one token with one USES item.
/** Every id token partition (its types and its uses) starts with it. */
export const ID_TOKEN_PK_PREFIX = 'IDTOKEN#';
export const idTokenValuePk = (value: string) => `${ID_TOKEN_PK_PREFIX}${canonicalTokenValue(value)}`;
export const ID_TOKEN_TYPE_PREFIX = 'TYPE#';
export const idTokenKey = (value: string, type: string) => ({ pk: idTokenValuePk(value), sk: `${ID_TOKEN_TYPE_PREFIX}${type}` });
export const ALL_TOKENS_PK = 'IDTOKENS';
/**
 * In the token value's partition, beside its types: one item holding every transaction that holds the token (a map
 * of uses by `tokenUseName`), with the revision a claim is conditioned on (shared/store/token-use-store.ts). Items
 * `TX#<charger>#<transaction>` of the one-item-per-use layout before issue 11 are no longer read.
 */
export const tokenUsesKey = (value: string) => ({ pk: idTokenValuePk(value), sk: 'USES' });
/** A use's name in that map: unambiguous whatever characters the ids hold. */
export const tokenUseName = (chargerId: string, transactionId: string) => JSON.stringify([chargerId, transactionId]);
export const idTokenGroupPk = (groupId: string) => `IDGROUP#${canonicalTokenValue(groupId)}`;
export const idTokenIndexes = (value: string, type: string, groupId?: string) => ({
  gsi2pk: ALL_TOKENS_PK,
  gsi2sk: `${value}#${type}`,
  ...(groupId ? { gsi1pk: idTokenGroupPk(groupId), gsi1sk: `${value}#${type}` } : {}),
});

// Timeline and device reports.
export const timelinePk = (chargerId: string) => `${TIMELINE_PK_PREFIX}${chargerId}`;
export const timelineKey = (chargerId: string, at: string, fact: unknown) => ({ pk: timelinePk(chargerId), sk: `${at}#${contentKey(fact)}` });
/**
 * A report's partition, one per kind and requestId, so pages of two kinds with one requestId never mix. The device
 * model (NotifyReport) keeps the key it had before there were kinds: its reports need no migration.
 */
export const reportPk = (chargerId: string, kind: ReportKind, requestId: number) =>
  kind === 'deviceModel' ? `${REPORT_PK_PREFIX}${chargerId}#${requestId}` : `${REPORT_PK_PREFIX}${chargerId}#${kind}#${requestId}`;
/** Every page of a report, numbered or not, sorts under it (the summary beside them does not). */
export const REPORT_PAGE_PREFIX = 'PAGE#';
export const reportPageKey = (chargerId: string, kind: ReportKind, requestId: number, seqNo: number) => ({
  pk: reportPk(chargerId, kind, requestId),
  sk: `${REPORT_PAGE_PREFIX}${pad(seqNo, 6)}`,
});
/** A page of a kind whose messages carry no seqNo, by its content: a retried message lands on the same item. */
export const unnumberedReportPageKey = (chargerId: string, kind: ReportKind, requestId: number, page: unknown) => ({
  pk: reportPk(chargerId, kind, requestId),
  sk: `${REPORT_PAGE_PREFIX}${contentKey(page)}`,
});
export const reportSummaryKey = (chargerId: string, kind: ReportKind, requestId: number) => ({ pk: reportPk(chargerId, kind, requestId), sk: 'SUMMARY' });

/**
 * Reservations of a charger, in its partition under the id as registered (beside presence and connectors); ids are
 * OCPP integers, bounded to 0..2^31-1 on arrival (ocpp/bounds.ts), so ten digits keep them in numeric order.
 */
export const RESERVATION_PREFIX = 'RESERVATION#';
export const reservationKey = (chargerId: string, reservationId: number) => ({
  pk: `${CHARGER_PK_PREFIX}${chargerId}`,
  sk: `${RESERVATION_PREFIX}${pad(reservationId, 10)}`,
});

/**
 * Where a reservation is listed (GET /reservations), each newest first by `<createdAt>#<chargerId>#<reservationId:10>`:
 * gsi1 by charger (the id as registered), gsi2 by id token value (a group-only reservation: the group), gsi3 by
 * status. gsi4 holds only open reservations (requested, reserved), by expiry, so the expiry schedule reads exactly
 * those past it. An item without `status` (only the charger's report is known) is in none of gsi2–gsi4.
 */
export const chargerReservationsPk = (chargerId: string) => `${CHARGER_PK_PREFIX}${chargerId}#RESERVATIONS`;
export const tokenReservationsPk = (idTokenValue: string) => `${idTokenValuePk(idTokenValue)}#RESERVATIONS`;
export const statusReservationsPk = (status: ReservationStatus) => `RESERVATIONS#${status.toUpperCase()}`;
export const OPEN_RESERVATIONS_PK = 'RESERVATIONS#OPEN';
export const reservationListSk = (createdAt: string, chargerId: string, reservationId: number) => `${createdAt}#${chargerId}#${pad(reservationId, 10)}`;
/** gsi4 sort key: the expiry (UTC ISO), so `gsi4sk < <now>` is exactly the reservations whose expiry has passed. */
export const reservationExpirySk = (expiry: string, chargerId: string, reservationId: number) => `${expiry}#${chargerId}#${pad(reservationId, 10)}`;
/**
 * The EVSEs a charger holds for accepted reservations, one item in its partition (attribute `evse<N>` per held EVSE),
 * so a start reads every hold in the BatchGetItem it sends anyway, whichever EVSE it names.
 */
export const RESERVED_EVSES_SK = 'RESERVED';
export const reservedEvsesKey = (chargerId: string) => ({ pk: `${CHARGER_PK_PREFIX}${chargerId}`, sk: RESERVED_EVSES_SK });
export const heldEvseAttribute = (evseId: number) => `evse${evseId}`;

/** MessageLog table: a charger's frames by time; the random tail keeps two frames of one millisecond apart. */
export const messageLogPk = (chargerId: string) => chargerId;
export const messageLogKey = (chargerId: string, at: string, direction: 'in' | 'out') => ({
  pk: messageLogPk(chargerId),
  sk: `${at}#${direction}#${randomUUID().slice(0, 8)}`,
});

/**
 * CSMS-initiated commands: one item each under its own id (GET /commands/{id} and a late reply find it by id alone),
 * listed per charger newest first through gsi1. The charger's in-flight slot (one CALL of ours at a time) sits in the
 * charger's partition.
 */
export const COMMAND_PK_PREFIX = 'CMD#';
export const commandKey = (commandId: string) => ({ pk: `${COMMAND_PK_PREFIX}${commandId}`, sk: 'COMMAND' });
export const chargerCommandsPk = (chargerId: string) => `${CHARGER_PK_PREFIX}${chargerIdKey(chargerId)}#CMD`;
export const chargerCommandsIndex = (chargerId: string, createdAt: string, commandId: string) => ({
  gsi1pk: chargerCommandsPk(chargerId),
  gsi1sk: `${createdAt}#${commandId}`,
});
export const COMMAND_SLOT_SK = 'COMMAND#INFLIGHT';
export const commandSlotKey = (chargerId: string) => ({ pk: `${CHARGER_PK_PREFIX}${chargerIdKey(chargerId)}`, sk: COMMAND_SLOT_SK });
/** A command held until its offline charger boots again, in the charger's partition, in the order they were sent. */
export const HELD_COMMAND_PREFIX = 'HELD#';
export const heldCommandKey = (chargerId: string, createdAt: string, commandId: string) => ({
  pk: `${CHARGER_PK_PREFIX}${chargerIdKey(chargerId)}`,
  sk: `${HELD_COMMAND_PREFIX}${createdAt}#${commandId}`,
});
export const heldCommandsPk = (chargerId: string) => `${CHARGER_PK_PREFIX}${chargerIdKey(chargerId)}`;

/** Key and index attributes: storage details, never part of a record the domain sees. */
const STORAGE_ATTRIBUTES = new Set([
  csmsTable.partitionKey,
  csmsTable.sortKey,
  ...csmsTable.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  'type',
]);

/** An item without its key and index attributes: the record the domain works with (TTL `expiresAt` stays: when it goes). */
export const withoutKeys = <T>(item: Record<string, unknown>): T =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !STORAGE_ATTRIBUTES.has(k))) as T;

/**
 * A short stable digest of a value, for sort keys of facts a charger may send more than once (after a
 * reconnect, under a new message id): the same fact gets the same key and is stored once.
 */
export const contentKey = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 22);

/** Idempotency records of operator creates: one per route, caller and key, kept a day. */
export const IDEMPOTENCY_PK_PREFIX = 'IDEMPOTENCY#';
export const idempotencyKey = (routeId: string, caller: string, key: string) => ({
  pk: `${IDEMPOTENCY_PK_PREFIX}${routeId}#${caller}`,
  sk: `KEY#${key}`,
});

/**
 * Certificate signing requests (SignCertificate) in the charger's partition under the id as registered, by when we
 * received them; the digest keeps two requests of one millisecond apart and stores a resent one once.
 */
export const CERTIFICATE_REQUEST_PREFIX = 'CSR#';
export const certificateRequestsPk = (chargerId: string) => `${CHARGER_PK_PREFIX}${chargerId}`;
export const certificateRequestKey = (chargerId: string, receivedAt: string, fact: unknown) => ({
  pk: certificateRequestsPk(chargerId),
  sk: `${CERTIFICATE_REQUEST_PREFIX}${receivedAt}#${contentKey(fact)}`,
});

/**
 * A charger's configuration as its answers to our commands reported it (shared/charger/configuration.ts): one item per
 * setting in the charger's partition under the id as registered (beside connectors and reservations, and erased with
 * them), every sort key under one prefix so one query lists them. 1.6 keys and 2.x names are case-insensitive
 * (CiString, identifierString), so each part is lower-cased; `%` and `#` are escaped so parts never run together.
 */
export const CONFIGURATION_PREFIX = 'CONFIG#';
const settingPart = (value: string | number | undefined): string =>
  value === undefined ? '' : String(value).toLowerCase().replaceAll('%', '%25').replaceAll('#', '%23');
const settingPath = (setting: SettingRef): string => {
  if ('key' in setting) return `KEY#${settingPart(setting.key)}`;
  const { component: c, variable: v, attributeType } = setting;
  return ['VAR', ...[c.name, c.instance, c.evse?.id, c.evse?.connectorId, v.name, v.instance, attributeType].map(settingPart)].join('#');
};
export const configurationPk = (chargerId: string) => `${CHARGER_PK_PREFIX}${chargerId}`;
export const configurationKey = (chargerId: string, setting: SettingRef) => ({
  pk: configurationPk(chargerId),
  sk: `${CONFIGURATION_PREFIX}${settingPath(setting)}`,
});

/** The latest accepted composite schedule of one EVSE (1.6: connector; 0: the whole charger), beside the settings. */
export const COMPOSITE_SCHEDULE_PREFIX = 'COMPOSITE#';
export const compositeSchedulesPk = (chargerId: string) => `${CHARGER_PK_PREFIX}${chargerId}`;
export const compositeScheduleKey = (chargerId: string, evseId: number) => ({
  pk: compositeSchedulesPk(chargerId),
  sk: `${COMPOSITE_SCHEDULE_PREFIX}${pad(evseId, 4)}`,
});

/**
 * A charger's local authorization list as we last know it (SendLocalList, GetLocalListVersion), in its partition under
 * the id as registered: one item for the version, one per entry. The version's sort key is the prefix of the entries',
 * so one Query (`begins_with(sk, 'LOCALLIST')`) reads the version first, then the entries.
 */
export const LOCAL_LIST_SK = 'LOCALLIST';
export const LOCAL_LIST_ENTRY_PREFIX = `${LOCAL_LIST_SK}#`;
export const localListPk = (chargerId: string) => `${CHARGER_PK_PREFIX}${chargerId}`;
export const localListKey = (chargerId: string) => ({ pk: localListPk(chargerId), sk: LOCAL_LIST_SK });
/** 1.6 entries are keyed by idTag; 2.x ones by idToken and type (two types may share a value); values canonical. */
export const localListEntryKey = (chargerId: string, idToken: string, idTokenType?: string) => ({
  pk: localListPk(chargerId),
  sk: `${LOCAL_LIST_ENTRY_PREFIX}${canonicalTokenValue(idToken)}${idTokenType === undefined ? '' : `#${idTokenType}`}`,
});

/**
 * Remote starts the charger accepted, in its partition under the id as registered. 2.x: by the remoteStartId the
 * TransactionEvent echoes (ten digits, like reservation ids); 1.6: the pending start by idTag, which the next
 * StartTransaction presents.
 */
export const REMOTE_START_PREFIX = 'REMOTESTART#';
export const remoteStartKey = (chargerId: string, remoteStartId: number) => ({
  pk: `${CHARGER_PK_PREFIX}${chargerId}`,
  sk: `${REMOTE_START_PREFIX}${pad(remoteStartId, 10)}`,
});
export const PENDING_START_PREFIX = 'PENDINGSTART#';
export const pendingStartKey = (chargerId: string, idTag: string) => ({
  pk: `${CHARGER_PK_PREFIX}${chargerId}`,
  sk: `${PENDING_START_PREFIX}${canonicalTokenValue(idTag)}`,
});

/**
 * Id tokens an operator put on a local list (shared/local-list/list-tokens.ts): a charger's beside its list (the
 * `LOCALLIST` prefix, so one Query reads the list and its tokens, and a deleted charger's erasure takes them), a
 * location's in the location's partition. The type comes first: it never holds `#`, so `<type>#<value>` is unambiguous.
 */
export const LIST_TOKEN_PREFIX = `${LOCAL_LIST_SK}-TOKEN#`;
const listTokenSk = (type: string, value: string) => `${LIST_TOKEN_PREFIX}${type}#${canonicalTokenValue(value)}`;
export const chargerListTokenKey = (chargerId: string, type: string, value: string) => ({ pk: localListPk(chargerId), sk: listTokenSk(type, value) });
export const locationListTokensPk = (locationId: string) => locationKey(locationId).pk;
export const locationListTokenKey = (locationId: string, type: string, value: string) => ({ pk: locationListTokensPk(locationId), sk: listTokenSk(type, value) });

/**
 * Files (shared/file/file-record.ts): one item each under its own id (GET /files/{id} finds it by id alone), listed
 * per charger newest first through gsi1 under the id in lower case (any case the operator asks in finds them).
 */
export const FILE_PK_PREFIX = 'FILE#';
export const fileKey = (fileId: string) => ({ pk: `${FILE_PK_PREFIX}${fileId}`, sk: 'FILE' });
export const chargerFilesPk = (chargerId: string) => `${CHARGER_PK_PREFIX}${chargerIdKey(chargerId)}#FILE`;
export const chargerFilesIndex = (chargerId: string, createdAt: string, fileId: string) => ({
  gsi1pk: chargerFilesPk(chargerId),
  gsi1sk: `${createdAt}#${fileId}`,
});
/**
 * gsi2 of a charger's diagnostics files only (1.6 GetDiagnostics): a DiagnosticsStatusNotification names no request,
 * so it goes to the newest of them, found by one Query for one item (shared/file/upload-status.ts).
 */
export const chargerDiagnosticsPk = (chargerId: string) => `${CHARGER_PK_PREFIX}${chargerIdKey(chargerId)}#DIAGNOSTICS`;
export const chargerDiagnosticsIndex = (chargerId: string, createdAt: string, fileId: string) => ({
  gsi2pk: chargerDiagnosticsPk(chargerId),
  gsi2sk: `${createdAt}#${fileId}`,
});
/** One-time upload tokens (shared/file/upload-token.ts), by the SHA-256 (hex) of the token: the token is never stored. */
export const UPLOAD_TOKEN_PK_PREFIX = 'UPLOAD#';
export const uploadTokenKey = (tokenHash: string) => ({ pk: `${UPLOAD_TOKEN_PK_PREFIX}${tokenHash}`, sk: 'UPLOAD' });
/**
 * Firmware download tokens (shared/file/firmware-download.ts), by the SHA-256 (hex) of the token: the token is never
 * stored. One per UpdateFirmware / SignedUpdateFirmware sent with a generated location.
 */
export const DOWNLOAD_TOKEN_PK_PREFIX = 'DOWNLOAD#';
export const downloadTokenKey = (tokenHash: string) => ({ pk: `${DOWNLOAD_TOKEN_PK_PREFIX}${tokenHash}`, sk: 'DOWNLOAD' });
/** gsi1 of firmware images (files of kind `firmware`, which belong to no charger): all of them, newest first. */
export const FIRMWARE_FILES_PK = 'FIRMWARE';
export const firmwareFilesIndex = (createdAt: string, fileId: string) => ({ gsi1pk: FIRMWARE_FILES_PK, gsi1sk: `${createdAt}#${fileId}` });

/**
 * A charger's firmware updates (shared/file/firmware-update.ts), one per UpdateFirmware / SignedUpdateFirmware command,
 * in its partition under the id as registered (erased with it) by the request id its status notifications echo (for
 * 1.6 UpdateFirmware, which has none, one derived from the command id); listed newest first through gsi1 under the id
 * in lower case.
 */
export const FIRMWARE_UPDATE_PREFIX = 'FWUPDATE#';
export const firmwareUpdateKey = (chargerId: string, requestId: number) => ({
  pk: `${CHARGER_PK_PREFIX}${chargerId}`,
  sk: `${FIRMWARE_UPDATE_PREFIX}${pad(requestId, 10)}`,
});
export const chargerFirmwareUpdatesPk = (chargerId: string) => `${CHARGER_PK_PREFIX}${chargerIdKey(chargerId)}#FWUPDATE`;
export const chargerFirmwareUpdatesIndex = (chargerId: string, requestedAt: string, commandId: string) => ({
  gsi1pk: chargerFirmwareUpdatesPk(chargerId),
  gsi1sk: `${requestedAt}#${commandId}`,
});

/**
 * Operators' live-event connections (docs/live-events.md): one item per connection, holding who connected and the
 * targets it subscribed to, and one item per (target, connection) under the target's partition, so the fan-out
 * finds a charger's, a location's or everything's subscribers with one Query per partition. Each target's partition
 * also holds a marker saying until when it may have subscribers, so the fan-out reads the markers of a whole batch
 * in one BatchGetItem and queries only the partitions that may hold someone.
 */
export const OPERATOR_CONNECTION_PK_PREFIX = 'OPCONN#';
export const operatorConnectionKey = (connectionId: string) => ({ pk: `${OPERATOR_CONNECTION_PK_PREFIX}${connectionId}`, sk: 'CONNECTION' });
export const LIVE_SUBSCRIPTION_PK_PREFIX = 'LIVESUB#';
/** A subscription target as stored: `charger:<id in lower case>`, `location:<id>` or `all`. */
export const liveSubscriptionPk = (target: string) => `${LIVE_SUBSCRIPTION_PK_PREFIX}${target}`;
export const liveSubscriptionKey = (target: string, connectionId: string) => ({ pk: liveSubscriptionPk(target), sk: connectionId });
/** API Gateway's connection ids never contain `#`, so the marker cannot be a subscription's key. */
export const liveTargetMarkerKey = (target: string) => ({ pk: liveSubscriptionPk(target), sk: '#SUBSCRIBED' });
