/**
 * Locations of the network, as operators manage them: where chargers are (address, coordinates, time zone) and how
 * the site is connected to the grid. Writes take the ETag the operator last read (`If-Match`) and are conditioned on
 * the version read with it, so a concurrent change is refused, never overwritten.
 */
import { randomUUID } from 'node:crypto';
import { ifMatchAdmits } from '../api/etag.ts';
import { failure, success, type Outcome } from '../api/outcome.ts';
import type { Ports } from '../deps.ts';
import { mergePatch } from '../merge-patch.ts';
import type { Page, PageOptions } from '../store/queries.ts';
import { LocationFieldsSchema, type CreateLocation, type Location, type LocationFields, type PatchLocation } from './location-schema.ts';

const notFound = (locationId: string) => failure('not-found', `No location ${locationId}`);
const changed = () => failure('precondition-failed', 'The location changed since you read it: read it again (its ETag) and retry');

export const createLocation = async (deps: Ports, input: CreateLocation, by: string): Promise<Outcome<Location>> => {
  const { locationId = randomUUID(), ...fields } = input;
  const at = deps.now().toISOString();
  const location: Location = { locationId, ...fields, chargerCount: 0, version: 1, createdAt: at, createdBy: by, updatedAt: at, updatedBy: by };
  if ((await deps.stores.locations.create(location)) === 'exists') {
    return failure('conflict', `Location ${locationId} already exists`, '/locationId');
  }
  return success(location);
};

export const getLocation = async (deps: Ports, locationId: string): Promise<Outcome<Location>> => {
  const location = await deps.stores.locations.get(locationId);
  return location ? success(location) : notFound(locationId);
};

export const listLocations = (deps: Ports, page: PageOptions): Promise<Page<Location>> => deps.stores.locations.list(page);

const operatorFields = ({ name, address, coordinates, timeZone, grid }: Location): LocationFields => ({
  name,
  ...(address ? { address } : {}),
  ...(coordinates ? { coordinates } : {}),
  ...(timeZone ? { timeZone } : {}),
  ...(grid ? { grid } : {}),
});

/** Applies a JSON merge patch; the result must still be a whole location (422 naming the field otherwise). */
export const patchLocation = async (deps: Ports, locationId: string, ifMatch: string, patch: PatchLocation, by: string): Promise<Outcome<Location>> => {
  const current = await deps.stores.locations.get(locationId, true);
  if (!current) return notFound(locationId);
  if (!ifMatchAdmits(ifMatch, current)) return changed();
  const merged = LocationFieldsSchema.safeParse(mergePatch(operatorFields(current), patch));
  if (!merged.success) {
    const issue = merged.error.issues[0];
    const field = `/${(issue?.path ?? []).map(String).join('/')}`;
    return failure('invalid', `The patched location is not valid: ${field}: ${issue?.message ?? 'invalid'}`, field);
  }
  const written = await deps.stores.locations.replaceFields(locationId, merged.data, current.version, { at: deps.now().toISOString(), by });
  if (written === 'not-found') return notFound(locationId);
  if (typeof written === 'string') return changed();
  return success(written);
};

/** Deletes a location no charger references (409 naming how many do), then the tokens put on its local list. */
export const deleteLocation = async (deps: Ports, locationId: string, ifMatch: string): Promise<Outcome<void>> => {
  const current = await deps.stores.locations.get(locationId, true);
  if (!current) return notFound(locationId);
  if (!ifMatchAdmits(ifMatch, current)) return changed();
  const outcome = await deps.stores.locations.delete(locationId, current.version);
  if (outcome === 'deleted') {
    // Only once the location is gone (it had no chargers): should this fail, the tokens reach no charger until a
    // location with this id is created again.
    await deps.stores.listTokens.eraseAll({ kind: 'location', locationId });
    return success(undefined);
  }
  if (outcome === 'not-found') return notFound(locationId);
  if (outcome === 'changed') return changed();
  return failure('conflict', `Location ${locationId} still has chargers (${current.chargerCount}): move or delete them first (GET /locations/${locationId}/chargers)`);
};
