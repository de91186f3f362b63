/**
 * Charger profiles: one item per charger (identity, registration, hardware from Boot), and beside it one item with
 * its password hash (`CREDENTIALS`), so the hash never rides along in the profile's stream records, reads or lists.
 * Both are keyed by the id in lower case (ids are case-insensitive); the profile keeps the id as registered.
 * Presence lives in its own item (presence-store.ts) so frequent connection writes never touch the
 * profile's index entries.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BootFacts, ChargerItem, ChargerProfile, RegistrationStatus } from '../charger/registry.ts';
import type { StoreContext } from './context.ts';
import { getAll, isConditionFailed, itemOfFailedCondition, transactionConditionsFailed as conditionsFailed, unlessConditionFails, type Item } from './dynamo.ts';
import {
  ALL_CHARGERS_PK,
  allChargersIndex,
  chargerKey,
  CREDENTIALS_ITEM_TYPE,
  credentialsKey,
  locationChargersIndex,
  locationChargersPk,
  locationKey,
  PENDING_AUTO_REGISTERED_PK,
  pendingAutoRegisteredIndex,
  withoutKeys,
} from './keys.ts';
import { countQuery, mapPage, queryPage, type Page, type PageOptions } from './queries.ts';

const BOOT_FACTS: readonly (keyof BootFacts)[] = [
  'vendor', 'model', 'serialNumber', 'chargeBoxSerialNumber', 'firmwareVersion', 'iccid', 'imsi', 'meterType', 'meterSerialNumber', 'bootReason',
];

export const toProfileItem = ({ passwordHash: _apart, ...profile }: ChargerItem): Item => ({
  ...chargerKey(profile.chargerId),
  ...allChargersIndex(profile.chargerId),
  ...(profile.locationId ? locationChargersIndex(profile.locationId, profile.chargerId) : {}),
  // A pending auto-registered charger (it has no location) is counted for the pending cap, and expires.
  ...(profile.expiresAt !== undefined && !profile.locationId ? pendingAutoRegisteredIndex(profile.chargerId) : {}),
  type: 'Charger',
  ...profile,
});
export const toCredentialsItem = (charger: ChargerItem): Item => ({
  ...credentialsKey(charger.chargerId),
  type: CREDENTIALS_ITEM_TYPE,
  chargerId: charger.chargerId,
  passwordHash: charger.passwordHash,
  ...(charger.expiresAt !== undefined ? { expiresAt: charger.expiresAt } : {}),
});
/**
 * The profile without a password hash: what leaves the store for anyone but the authorizer. (Profiles written
 * before credentials had their own item carried the hash; it is dropped here too.)
 */
const toProfile = (item: Item): ChargerProfile => {
  const { passwordHash: _hidden, ...profile } = withoutKeys<ChargerItem>(item);
  return profile;
};
/** The location's charger count moved by `by`, only if the location exists (a transaction item). */
const countAtFor = (ctx: StoreContext) => (locationId: string, by: 1 | -1) => ({
  Update: {
    TableName: ctx.tables.Csms,
    Key: locationKey(locationId),
    UpdateExpression: 'ADD chargerCount :by',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':by': by },
  },
});


/** The profile's version condition: profiles written before versions existed have none. */
const atVersion = (version: number | undefined) =>
  version === undefined
    ? { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(version)' }
    : { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': version } };

/** What an operator's PATCH changes: attributes to set and to remove, and where the charger moves. */
export interface ProfileChange {
  readonly set: Readonly<Record<string, unknown>>;
  readonly remove: readonly string[];
  /** Present when the location changes: the one it leaves (if it had one that exists) and the one it joins. */
  readonly move?: { readonly from?: string; readonly to?: string };
}

const NOT_EXPIRED_OR_ABSENT = 'attribute_not_exists(pk) OR expiresAt <= :nowSeconds';
const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

export const chargerStore = (ctx: StoreContext) => {
  const countAt = countAtFor(ctx);

  /**
   * Sets (and removes) attributes of an existing profile whose attributes named in `expected` still have those
   * values: `not-found` without the profile, `changed` when one of them differs.
   */
  const updateIf = async (
    chargerId: string,
    set: Record<string, unknown>,
    remove: readonly string[] = [],
    expected: Readonly<Record<string, unknown>> = {},
  ): Promise<ChargerProfile | 'not-found' | 'changed'> => {
    const entries = Object.entries(set).filter(([, v]) => v !== undefined);
    const checks = Object.entries(expected);
    try {
      const out = await ctx.db.send(
        new UpdateCommand({
          TableName: ctx.tables.Csms,
          Key: chargerKey(chargerId),
          UpdateExpression:
            `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}` + (remove.length ? ` REMOVE ${remove.map((_, i) => `#r${i}`).join(', ')}` : ''),
          ConditionExpression: ['attribute_exists(pk)', ...checks.map((_, i) => `#e${i} = :e${i}`)].join(' AND '),
          ExpressionAttributeNames: {
            ...Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k])),
            ...Object.fromEntries(remove.map((k, i) => [`#r${i}`, k])),
            ...Object.fromEntries(checks.map(([k], i) => [`#e${i}`, k])),
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])),
            ...Object.fromEntries(checks.map(([, v], i) => [`:e${i}`, v])),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return toProfile(out.Attributes ?? {});
    } catch (error) {
      if (isConditionFailed(error)) return itemOfFailedCondition(error) ? 'changed' : 'not-found';
      throw error;
    }
  };

  /** Sets (and removes) attributes of an existing profile; undefined when the charger does not exist. */
  const update = async (chargerId: string, set: Record<string, unknown>, remove: readonly string[] = []): Promise<ChargerProfile | undefined> => {
    const out = await updateIf(chargerId, set, remove);
    return typeof out === 'string' ? undefined : out;
  };

  const get = async (chargerId: string, consistent = false): Promise<ChargerProfile | undefined> => {
    const out = await ctx.db.send(new GetCommand({ TableName: ctx.tables.Csms, Key: chargerKey(chargerId), ConsistentRead: consistent }));
    return out.Item && toProfile(out.Item);
  };

  return {
    /**
     * Creates the charger (profile and credentials, in one transaction) unless one with its id in any case exists.
     * A pending auto-registered charger past its expiry counts as absent (TTL may not have deleted it yet). With
     * `countAtLocation`, a charger that names a location is counted there in the same transaction, which fails
     * (`no-location`) when the location does not exist.
     */
    async createIfAbsent(charger: ChargerItem, options: { countAtLocation?: boolean } = {}): Promise<'created' | 'exists' | 'no-location'> {
      const condition = { ConditionExpression: NOT_EXPIRED_OR_ABSENT, ExpressionAttributeValues: { ':nowSeconds': epochSeconds(ctx.now()) } };
      const atLocation = options.countAtLocation && charger.locationId !== undefined ? [countAt(charger.locationId, 1)] : [];
      try {
        await ctx.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: ctx.tables.Csms, Item: toProfileItem(charger), ...condition } },
              { Put: { TableName: ctx.tables.Csms, Item: toCredentialsItem(charger), ...condition } },
              ...atLocation,
            ],
          }),
        );
        return 'created';
      } catch (error) {
        const failed = conditionsFailed(error);
        if (!failed) throw error;
        return failed[0] || failed[1] ? 'exists' : 'no-location';
      }
    },

    /**
     * The profile with its password hash, for the password check: both items in one BatchGetItem, strongly consistent
     * where asked. A profile written before credentials had their own item still carries its hash.
     */
    async getWithSecret(chargerId: string, consistent = false): Promise<ChargerItem | undefined> {
      const [profile, credentials] = await getAll(ctx.db, [
        { table: ctx.tables.Csms, key: chargerKey(chargerId), consistent },
        { table: ctx.tables.Csms, key: credentialsKey(chargerId), consistent },
      ]);
      if (!profile) return undefined;
      const passwordHash = credentials?.passwordHash ?? profile.passwordHash;
      const next = credentials?.nextPasswordHash;
      return typeof passwordHash === 'string' ? { ...toProfile(profile), passwordHash, ...(typeof next === 'string' ? { nextPasswordHash: next } : {}) } : undefined;
    },

    /** Pending auto-registered chargers that have not expired, counted up to `atMost` (the cap). */
    async countPendingAutoRegistered(atMost: number): Promise<number> {
      return countQuery(
        ctx,
        {
          TableName: ctx.tables.Csms,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          FilterExpression: 'expiresAt > :nowSeconds AND registrationStatus = :pending',
          ExpressionAttributeValues: { ':pk': PENDING_AUTO_REGISTERED_PK, ':nowSeconds': epochSeconds(ctx.now()), ':pending': 'pending' },
        },
        atMost,
      );
    },

    get,

    /** For reading the profile together with other items (stores.ts `readTogether`). */
    read: (chargerId: string) => ({ table: ctx.tables.Csms, key: chargerKey(chargerId), decode: toProfile }),

    async list(options: PageOptions & { locationId?: string } = {}): Promise<Page<ChargerProfile>> {
      const { locationId, ...page } = options;
      const query = locationId !== undefined ? { index: 'gsi1' as const, pk: locationChargersPk(locationId) } : { index: 'gsi2' as const, pk: ALL_CHARGERS_PK };
      return mapPage(await queryPage(ctx, query, page), toProfile);
    },

    /**
     * What BootNotification reported; returns the profile (with its registration status), or undefined. A fact the
     * boot does not report goes: the boot describes the charger as it is now (a modem taken out, another firmware).
     */
    recordBoot: (chargerId: string, facts: BootFacts, at: Date) =>
      update(chargerId, { ...facts, lastBootAt: at.toISOString() }, BOOT_FACTS.filter((k) => facts[k] === undefined)),

    /**
     * An operator's decision, written only while the charger is still at the status `current` was read with (what the
     * decision was made on: accepting a charger that is not accepted issues a password): `changed` when it is not.
     * A decision never expires, so a pending auto-registered charger leaves the pending index and loses its expiry
     * (profile and credentials).
     */
    async setRegistrationStatus(
      current: Pick<ChargerProfile, 'chargerId' | 'registrationStatus' | 'expiresAt' | 'locationId'>,
      status: RegistrationStatus,
    ): Promise<ChargerProfile | 'not-found' | 'changed'> {
      const { chargerId } = current;
      const expected = { registrationStatus: current.registrationStatus };
      if (current.expiresAt === undefined) return updateIf(chargerId, { registrationStatus: status }, [], expected);
      const updated = await updateIf(chargerId, { registrationStatus: status }, ['expiresAt', ...(current.locationId ? [] : ['gsi1pk', 'gsi1sk'])], expected);
      if (typeof updated === 'string') return updated;
      await ctx.db.send(
        new UpdateCommand({ TableName: ctx.tables.Csms, Key: credentialsKey(chargerId), UpdateExpression: 'REMOVE expiresAt', ConditionExpression: 'attribute_exists(pk)' }),
      ).catch((error: unknown) => {
        if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
      });
      return updated;
    },

    /**
     * An operator's change of the profile, if it is still at `version` (read with the ETag the operator sent). A move
     * between locations is one transaction with both locations' charger counts; the new location must exist.
     */
    async change(current: ChargerProfile, change: ProfileChange): Promise<ChargerProfile | 'not-found' | 'changed' | 'no-location'> {
      const { chargerId, version } = current;
      // The chargers-of-a-location index follows the location; a pending auto-registered charger without one is
      // counted for the pending cap again.
      const index: { set: Record<string, unknown>; remove: string[] } = !change.move
        ? { set: {}, remove: [] }
        : change.move.to !== undefined
          ? { set: locationChargersIndex(change.move.to, chargerId), remove: [] }
          : current.expiresAt !== undefined
            ? { set: pendingAutoRegisteredIndex(chargerId), remove: [] }
            : { set: {}, remove: ['gsi1pk', 'gsi1sk'] };
      const set = Object.entries({ ...change.set, ...index.set, version: (version ?? 0) + 1 });
      const remove = [...change.remove, ...index.remove];
      const names = { ...Object.fromEntries(set.map(([k], i) => [`#s${i}`, k])), ...Object.fromEntries(remove.map((k, i) => [`#r${i}`, k])) };
      const guard = atVersion(version);
      const update = {
        TableName: ctx.tables.Csms,
        Key: chargerKey(chargerId),
        UpdateExpression: `SET ${set.map((_, i) => `#s${i} = :s${i}`).join(', ')}` + (remove.length ? ` REMOVE ${remove.map((_, i) => `#r${i}`).join(', ')}` : ''),
        ExpressionAttributeNames: names,
        ...guard,
        ExpressionAttributeValues: { ...Object.fromEntries(set.map(([, v], i) => [`:s${i}`, v])), ...('ExpressionAttributeValues' in guard ? guard.ExpressionAttributeValues : {}) },
      };
      if (!change.move) {
        try {
          const out = await ctx.db.send(new UpdateCommand({ ...update, ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
          return toProfile(out.Attributes ?? {});
        } catch (error) {
          if (isConditionFailed(error)) return itemOfFailedCondition(error) ? 'changed' : 'not-found';
          throw error;
        }
      }
      const { from, to } = change.move;
      try {
        await ctx.db.send(
          new TransactWriteCommand({
            TransactItems: [{ Update: update }, ...(to !== undefined ? [countAt(to, 1)] : []), ...(from !== undefined ? [countAt(from, -1)] : [])],
          }),
        );
      } catch (error) {
        const failed = conditionsFailed(error);
        if (!failed) throw error;
        if (failed[0]) return (await get(chargerId)) ? 'changed' : 'not-found';
        return to !== undefined && failed[1] ? 'no-location' : 'changed';
      }
      return (await get(chargerId, true)) ?? 'not-found';
    },

    /**
     * Deletes the profile and credentials if the profile is still at `version`, and uncounts the charger at its
     * location (`from`: given only if that location exists). Presence, connectors and history are not touched here.
     */
    async remove(chargerId: string, version: number | undefined, from?: string): Promise<'deleted' | 'not-found' | 'changed'> {
      try {
        await ctx.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Delete: { TableName: ctx.tables.Csms, Key: chargerKey(chargerId), ...atVersion(version) } },
              { Delete: { TableName: ctx.tables.Csms, Key: credentialsKey(chargerId) } },
              ...(from !== undefined ? [countAt(from, -1)] : []),
            ],
          }),
        );
        return 'deleted';
      } catch (error) {
        const failed = conditionsFailed(error);
        if (!failed) throw error;
        return (await get(chargerId)) ? 'changed' : 'not-found';
      }
    },

    /** Keeps the hash of a password the charger accepted; valid beside the current one until it connects with it. */
    async setNextPasswordHash(chargerId: string, nextPasswordHash: string, at: Date): Promise<boolean> {
      const out = await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: ctx.tables.Csms,
            Key: credentialsKey(chargerId),
            UpdateExpression: 'SET nextPasswordHash = :next, nextPasswordSince = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':next': nextPasswordHash, ':at': at.toISOString() },
          }),
        ),
      );
      return out !== undefined;
    },

    /** The charger connected with its next password (the authorizer checked it): it becomes the only one. */
    async promoteNextPassword(chargerId: string, at: Date): Promise<boolean> {
      const out = await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: ctx.tables.Csms,
            Key: credentialsKey(chargerId),
            UpdateExpression: 'SET passwordHash = nextPasswordHash, passwordRotatedAt = :at REMOVE nextPasswordHash, nextPasswordSince',
            ConditionExpression: 'attribute_exists(nextPasswordHash)',
            ExpressionAttributeValues: { ':at': at.toISOString() },
          }),
        ),
      );
      return out !== undefined;
    },

    /** Replaces the hash (and drops one a profile of before the credentials item still carried); false when unknown. */
    async replacePasswordHash(chargerId: string, passwordHash: string, at: Date): Promise<boolean> {
      const current = await get(chargerId);
      if (!current) return false;
      try {
        await ctx.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: ctx.tables.Csms,
                  Key: chargerKey(chargerId),
                  UpdateExpression: 'SET passwordRotatedAt = :at REMOVE passwordHash',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: { ':at': at.toISOString() },
                },
              },
              { Put: { TableName: ctx.tables.Csms, Item: toCredentialsItem({ ...current, passwordHash }) } },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof Error && error.name === 'TransactionCanceledException') return false;
        throw error;
      }
    },
  };
};

export type ChargerStore = ReturnType<typeof chargerStore>;
