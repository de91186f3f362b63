/**
 * Chargers as operators manage them through the REST API: the representation (profile and presence summary), the
 * lists, an operator's change (JSON merge patch) and deletion, and the charger's live status and history. Writes
 * take the ETag the operator last read (`If-Match`) and are conditioned on the profile's `version`, so a concurrent
 * change is refused, never overwritten. Registering and credentials are registry.ts's.
 */
import { ifMatchAdmits } from '../api/etag.ts';
import { failure, success, type Outcome } from '../api/outcome.ts';
import type { Ports } from '../deps.ts';
import type { Page, PageOptions, TimeRange } from '../store/queries.ts';
import type { ChargerDetail, ChargerRepresentation, PatchCharger } from './charger-schema.ts';
import type { Connector, ConnectorRef, StatusReport } from './connector-status.ts';
import { assembleReport, type AssembledReport, type ReportKind } from './report.ts';
import { createCharger, type ChargerProfile, type ConnectionCloser, type CredentialPorts, type NewCharger } from './registry.ts';
import type { Presence } from './presence.ts';

const notFound = (chargerId: string) => failure('not-found', `No charger ${chargerId}`);
const changed = () => failure('precondition-failed', 'The charger changed since you read it: read it again (its ETag) and retry');
const noLocation = (locationId: string) => failure('invalid', `Location ${locationId} does not exist: create it first (POST /locations)`, '/locationId');

/** The profile as the API shows it: the TTL becomes `pendingUntil` (ISO), and every profile has a version. */
export const chargerRepresentation = ({ expiresAt, ...profile }: ChargerProfile): ChargerRepresentation => ({
  ...profile,
  version: profile.version ?? 0,
  ...(expiresAt !== undefined ? { pendingUntil: new Date(expiresAt * 1000).toISOString() } : {}),
});

const presenceSummary = (presence: Presence | undefined, lastSeen: string | undefined): ChargerDetail['presence'] => ({
  connected: presence?.connected === true,
  ...(presence?.connected && presence.protocol ? { protocol: presence.protocol } : {}),
  ...(presence?.connected && presence.connectedAt !== undefined ? { connectedAt: new Date(presence.connectedAt).toISOString() } : {}),
  ...(lastSeen ? { lastSeen } : {}),
});

interface ChargerState {
  readonly profile: ChargerProfile;
  readonly presence: Presence | undefined;
  readonly detail: ChargerDetail;
}

/**
 * Profile and presence in one BatchGetItem, beside the message log's newest frame (two requests in parallel). Both
 * presence and the log are keyed by the id as registered: asked in another case, they are read again under it.
 */
const readState = async (deps: Ports, chargerId: string, consistent = false): Promise<ChargerState | undefined> => {
  const { stores } = deps;
  const [{ profile, presence }, lastSeen] = await Promise.all([
    stores.readTogether({ profile: { ...stores.chargers.read(chargerId), consistent }, presence: stores.presence.read(chargerId) }),
    stores.messageLog.lastSeen(chargerId),
  ]);
  if (!profile) return undefined;
  const registered = profile.chargerId;
  const [p, seen] = registered === chargerId ? [presence, lastSeen] : await Promise.all([stores.presence.get(registered), stores.messageLog.lastSeen(registered)]);
  return { profile, presence: p, detail: { ...chargerRepresentation(profile), presence: presenceSummary(p, seen) } };
};

/**
 * What a charger's ETag digests: the profile an operator edits, without the live presence (which changes with every
 * frame the charger sends; digesting it would fail every If-Match sent after the charger's next heartbeat).
 */
export const taggedPart = (detail: ChargerDetail): Omit<ChargerDetail, 'presence'> => {
  const { presence: _live, ...profile } = detail;
  return profile;
};

export const getCharger = async (deps: Ports, chargerId: string): Promise<Outcome<ChargerDetail>> => {
  const state = await readState(deps, chargerId);
  return state ? success(state.detail) : notFound(chargerId);
};

/** The profile (any case of the id finds it): for operations that need the registered id. */
export const getChargerProfile = async (deps: Ports, chargerId: string): Promise<Outcome<ChargerProfile>> => {
  const profile = await deps.stores.chargers.get(chargerId);
  return profile ? success(profile) : notFound(chargerId);
};

export const listChargers = async (deps: Ports, filter: { locationId?: string }, page: PageOptions): Promise<Page<ChargerRepresentation>> => {
  const listed = await deps.stores.chargers.list({ ...page, ...(filter.locationId !== undefined ? { locationId: filter.locationId } : {}) });
  return { ...listed, items: listed.items.map(chargerRepresentation) };
};

/** The chargers of an existing location (404 for an unknown one). */
export const listChargersAt = async (deps: Ports, locationId: string, page: PageOptions): Promise<Outcome<Page<ChargerRepresentation>>> => {
  if (!(await deps.stores.locations.get(locationId))) return failure('not-found', `No location ${locationId}`);
  return success(await listChargers(deps, { locationId }, page));
};

export interface RegisteredCharger {
  readonly charger: ChargerRepresentation;
  /** The password: generated (shown once) or the one the operator chose (not repeated). */
  readonly password?: string;
}

/** Registers a charger (REST create and import): a chosen password is hashed like a charger's, a generated one answered once. */
export const registerCharger = async (deps: CredentialPorts, input: NewCharger): Promise<Outcome<RegisteredCharger>> => {
  const outcome = await createCharger(deps, input);
  if (outcome.created) {
    return success({ charger: chargerRepresentation(outcome.profile), ...(input.password === undefined ? { password: outcome.password } : {}) });
  }
  if (outcome.reason === 'no-location') return noLocation(input.locationId ?? '');
  if (outcome.reason === 'invalid-id') return failure('invalid', `"${input.chargerId}" is not a valid charger id`, '/chargerId');
  return failure('conflict', `Charger ${input.chargerId} already exists (ids are case-insensitive)`, '/chargerId');
};

const PATCHABLE = ['label', 'description', 'defaultProtocol', 'securityProfile'] as const;

/** Applies an operator's merge patch; moving to another location needs that location to exist (422). */
export const patchCharger = async (deps: Ports, chargerId: string, ifMatch: string, patch: PatchCharger, by: string): Promise<Outcome<ChargerDetail>> => {
  const state = await readState(deps, chargerId, true);
  if (!state) return notFound(chargerId);
  if (!ifMatchAdmits(ifMatch, taggedPart(state.detail))) return changed();
  const { profile } = state;
  const set: Record<string, unknown> = { updatedAt: deps.now().toISOString(), updatedBy: by };
  const remove: string[] = [];
  for (const field of PATCHABLE) {
    const value = patch[field];
    if (value === null) remove.push(field);
    else if (value !== undefined) set[field] = value;
  }
  const target = patch.locationId;
  const moves = target !== undefined && (target ?? undefined) !== profile.locationId;
  if (moves && target !== null) set.locationId = target;
  if (moves && target === null) remove.push('locationId');
  // Only a location that exists counts its chargers (a location id from before locations existed has no item).
  const from = moves && profile.locationId !== undefined && (await deps.stores.locations.get(profile.locationId)) ? profile.locationId : undefined;
  const written = await deps.stores.chargers.change(profile, {
    set,
    remove,
    ...(moves ? { move: { ...(from !== undefined ? { from } : {}), ...(target ? { to: target } : {}) } } : {}),
  });
  if (written === 'not-found') return notFound(chargerId);
  if (written === 'changed') return changed();
  if (written === 'no-location') return noLocation(target ?? '');
  return success({ ...chargerRepresentation(written), presence: state.detail.presence });
};

export type HistoryOnDelete = 'keep' | 'purge';
/** History items one DELETE ?history=purge erases at most; more left answers "call again". */
export const PURGE_BUDGET = 1000;

export type DeleteOutcome = { readonly state: 'deleted'; readonly closedConnectionId?: string } | { readonly state: 'purging'; readonly deleted: number };

/**
 * Deletes a charger: profile and credentials (versioned), then its presence and connectors; its live connection is
 * closed. `keep` leaves its history and transactions (still readable by id); `purge` first erases its status
 * history (each connector going with its last report), timeline and message log, PURGE_BUDGET items per call, and
 * deletes the charger when none is left.
 */
export const deleteCharger = async (
  deps: Ports,
  chargerId: string,
  ifMatch: string,
  history: HistoryOnDelete,
  closer: ConnectionCloser | undefined,
): Promise<Outcome<DeleteOutcome>> => {
  const state = await readState(deps, chargerId, true);
  if (!state) return notFound(chargerId);
  if (!ifMatchAdmits(ifMatch, taggedPart(state.detail))) return changed();
  const { profile, presence } = state;
  const registered = profile.chargerId;
  if (history === 'purge') {
    // A page, not the list: a charger may have made up more connectors than one call could read.
    const connectors = await deps.stores.connectors.page(registered, { limit: PURGE_BUDGET });
    const step = await deps.stores.chargerHistory.purge(registered, connectors.items, PURGE_BUDGET, connectors.cursor !== undefined);
    if (step.remaining) return success({ state: 'purging', deleted: step.deleted });
  }
  const from = profile.locationId !== undefined && (await deps.stores.locations.get(profile.locationId)) ? profile.locationId : undefined;
  const removed = await deps.stores.chargers.remove(registered, profile.version, from);
  if (removed === 'not-found') return notFound(chargerId);
  if (removed === 'changed') return changed();
  // After the profile is gone, so a reconnect is refused by the authorizer.
  const closing = presence?.connected && presence.connectionId && closer ? presence.connectionId : undefined;
  if (closing) await closer!.close(closing);
  await deps.stores.chargerHistory.eraseLive(registered);
  deps.log.info('charger deleted', { chargerId: registered, history, ...(closing ? { closedConnectionId: closing } : {}) });
  return success({ state: 'deleted', ...(closing ? { closedConnectionId: closing } : {}) });
};

const withoutTtl = <T extends { expiresAt?: number }>({ expiresAt: _ttl, ...rest }: T): Omit<T, 'expiresAt'> => rest;

/** A page of the charger's connectors (every connector of a real charger fits in the largest page). */
export const connectorsOf = async (
  deps: Ports,
  chargerId: string,
  page: PageOptions,
): Promise<Outcome<{ chargerId: string; connectors: Connector[]; cursor?: string }>> => {
  const profile = await deps.stores.chargers.get(chargerId);
  if (!profile) return notFound(chargerId);
  const { items, cursor } = await deps.stores.connectors.page(profile.chargerId, page);
  return success({ chargerId: profile.chargerId, connectors: items, ...(cursor ? { cursor } : {}) });
};

/** Status reports of one connector, newest first, optionally within a time range. */
export const statusHistoryOf = async (deps: Ports, chargerId: string, ref: ConnectorRef & TimeRange, page: PageOptions): Promise<Outcome<Page<StatusReport>>> => {
  const profile = await deps.stores.chargers.get(chargerId);
  if (!profile) return notFound(chargerId);
  const listed = await deps.stores.connectors.history(profile.chargerId, ref, { newestFirst: true, ...ref, ...page });
  return success({ ...listed, items: listed.items.map((i) => withoutTtl(i as StatusReport & { expiresAt?: number }) as StatusReport) });
};

export const timelineOf = async (deps: Ports, chargerId: string, range: TimeRange, page: PageOptions) => {
  const profile = await deps.stores.chargers.get(chargerId);
  if (!profile) return notFound(chargerId);
  const listed = await deps.stores.timeline.list(profile.chargerId, { newestFirst: true, ...range, ...page });
  return success({ ...listed, items: listed.items.map((i) => withoutTtl(i as typeof i & { expiresAt?: number })) });
};

/** The OCPP message log, newest first: frames as stored, secrets already masked (log/redact.ts). */
export const messagesOf = async (deps: Ports, chargerId: string, range: TimeRange, page: PageOptions) => {
  const profile = await deps.stores.chargers.get(chargerId);
  if (!profile) return notFound(chargerId);
  const listed = await deps.stores.messageLog.list(profile.chargerId, { newestFirst: true, ...range, ...page });
  return success({ ...listed, items: listed.items.map((i) => withoutTtl(i as typeof i & { expiresAt?: number })) });
};

/** A report of one kind (the device model, monitors, ...) assembled from its pages. */
export const reportOf = async (deps: Ports, chargerId: string, kind: ReportKind, requestId: number): Promise<Outcome<AssembledReport>> => {
  const profile = await deps.stores.chargers.get(chargerId);
  if (!profile) return notFound(chargerId);
  const report = await assembleReport(deps, profile.chargerId, kind, requestId);
  return report.pages === 0 ? failure('not-found', `No ${kind} report ${requestId} from charger ${profile.chargerId}`) : success(report);
};
