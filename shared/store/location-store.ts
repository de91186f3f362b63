/**
 * Locations: one item each, listed through gsi2 `LOCATIONS`. Operator writes are conditioned on the `version` they
 * read (a concurrent change is a conflict, never a lost update); `chargerCount` is kept by the charger store's
 * writes (charger-store.ts) in the same transaction that points a charger at the location or away from it, so a
 * location with chargers can never be deleted, whatever the index lag.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Location, LocationFields } from '../location/location-schema.ts';
import type { StoreContext } from './context.ts';
import { isConditionFailed, itemOfFailedCondition, type Item } from './dynamo.ts';
import { ALL_LOCATIONS_PK, allLocationsIndex, locationKey, withoutKeys } from './keys.ts';
import { mapPage, queryPage, type Page, type PageOptions } from './queries.ts';

const toLocation = (item: Item): Location => {
  const record = withoutKeys<Location>(item);
  return { ...record, chargerCount: record.chargerCount ?? 0 };
};

/** Why a conditional write of a location did not happen. */
export type LocationWriteRefusal = 'not-found' | 'changed' | 'in-use';

const OPERATOR_FIELDS: readonly (keyof LocationFields)[] = ['name', 'address', 'coordinates', 'timeZone', 'grid'];

export const locationStore = (ctx: StoreContext) => ({
  /** Creates the location unless its id is taken. */
  async create(location: Location): Promise<'created' | 'exists'> {
    try {
      await ctx.db.send(
        new PutCommand({
          TableName: ctx.tables.Csms,
          Item: { ...locationKey(location.locationId), ...allLocationsIndex(location.locationId), type: 'Location', ...location },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'created';
    } catch (error) {
      if (isConditionFailed(error)) return 'exists';
      throw error;
    }
  },

  async get(locationId: string, consistent = false): Promise<Location | undefined> {
    const out = await ctx.db.send(new GetCommand({ TableName: ctx.tables.Csms, Key: locationKey(locationId), ConsistentRead: consistent }));
    return out.Item && toLocation(out.Item);
  },

  /** For reading a location together with other items (stores.ts `readTogether`). */
  read: (locationId: string) => ({ table: ctx.tables.Csms, key: locationKey(locationId), decode: toLocation }),

  list: async (options: PageOptions = {}): Promise<Page<Location>> => mapPage(await queryPage(ctx, { index: 'gsi2', pk: ALL_LOCATIONS_PK }, options), toLocation),

  /**
   * Replaces the operator's fields (those absent are removed) if the location is still at `version`; `chargerCount`
   * is not touched, so a charger added meanwhile is still counted.
   */
  async replaceFields(locationId: string, fields: LocationFields, version: number, audit: { at: string; by: string }): Promise<Location | LocationWriteRefusal> {
    const set = OPERATOR_FIELDS.filter((f) => fields[f] !== undefined);
    const remove = OPERATOR_FIELDS.filter((f) => fields[f] === undefined);
    try {
      const out = await ctx.db.send(
        new UpdateCommand({
          TableName: ctx.tables.Csms,
          Key: locationKey(locationId),
          UpdateExpression:
            `SET ${[...set.map((f) => `#${f} = :${f}`), 'version = :next', 'updatedAt = :at', 'updatedBy = :by'].join(', ')}` +
            (remove.length ? ` REMOVE ${remove.map((f) => `#${f}`).join(', ')}` : ''),
          ConditionExpression: 'version = :version',
          ExpressionAttributeNames: Object.fromEntries([...set, ...remove].map((f) => [`#${f}`, f])),
          ExpressionAttributeValues: {
            ...Object.fromEntries(set.map((f) => [`:${f}`, fields[f]])),
            ':version': version,
            ':next': version + 1,
            ':at': audit.at,
            ':by': audit.by,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return toLocation(out.Attributes ?? {});
    } catch (error) {
      if (isConditionFailed(error)) return itemOfFailedCondition(error) ? 'changed' : 'not-found';
      throw error;
    }
  },

  /** Deletes the location if it is still at `version` and no charger references it. */
  async delete(locationId: string, version: number): Promise<'deleted' | LocationWriteRefusal> {
    try {
      await ctx.db.send(
        new DeleteCommand({
          TableName: ctx.tables.Csms,
          Key: locationKey(locationId),
          ConditionExpression: 'version = :version AND (attribute_not_exists(chargerCount) OR chargerCount <= :zero)',
          ExpressionAttributeValues: { ':version': version, ':zero': 0 },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'deleted';
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const found = itemOfFailedCondition(error);
      if (!found) return 'not-found';
      return found.version === version ? 'in-use' : 'changed';
    }
  },
});

export type LocationStore = ReturnType<typeof locationStore>;
