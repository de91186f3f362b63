/**
 * Charger profiles: one item per charger (identity, registration, hardware from Boot, password hash).
 * Presence lives in its own item (presence-store.ts) so frequent connection writes never touch the
 * profile's index entries.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BootFacts, ChargerItem, ChargerProfile, RegistrationStatus } from '../charger/registry.ts';
import type { StoreContext } from './context.ts';
import { unlessConditionFails, type Item } from './dynamo.ts';
import { ALL_CHARGERS_PK, allChargersIndex, chargerKey, locationChargersIndex, locationChargersPk, withoutKeys } from './keys.ts';
import { mapPage, queryPage, type Page, type PageOptions } from './queries.ts';

const BOOT_FACTS: readonly (keyof BootFacts)[] = [
  'vendor', 'model', 'serialNumber', 'chargeBoxSerialNumber', 'firmwareVersion', 'iccid', 'imsi', 'meterType', 'meterSerialNumber', 'bootReason',
];

const toItem = (charger: ChargerItem): Item => ({
  ...chargerKey(charger.chargerId),
  ...allChargersIndex(charger.chargerId),
  ...(charger.locationId ? locationChargersIndex(charger.locationId, charger.chargerId) : {}),
  type: 'Charger',
  ...charger,
});
const fromItem = (item: Item): ChargerItem => withoutKeys<ChargerItem>(item);
/** The profile without its password hash: what leaves the store for anyone but the authorizer. */
const toProfile = (item: Item): ChargerProfile => {
  const { passwordHash: _hidden, ...profile } = fromItem(item);
  return profile;
};

export const chargerStore = (ctx: StoreContext) => {

  /** Sets (and removes) attributes of an existing profile; undefined when the charger does not exist. */
  const update = async (chargerId: string, set: Record<string, unknown>, remove: readonly string[] = []): Promise<ChargerProfile | undefined> => {
    const entries = Object.entries(set).filter(([, v]) => v !== undefined);
    const out = await unlessConditionFails(
      ctx.db.send(
        new UpdateCommand({
          TableName: ctx.tables.Csms,
          Key: chargerKey(chargerId),
          UpdateExpression:
            `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}` + (remove.length ? ` REMOVE ${remove.map((_, i) => `#r${i}`).join(', ')}` : ''),
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: {
            ...Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k])),
            ...Object.fromEntries(remove.map((k, i) => [`#r${i}`, k])),
          },
          ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])),
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out?.Attributes && toProfile(out.Attributes);
  };

  return {
    /** Creates the charger unless one with its id exists. */
    async createIfAbsent(charger: ChargerItem): Promise<'created' | 'exists'> {
      const written = await unlessConditionFails(
        ctx.db.send(new PutCommand({ TableName: ctx.tables.Csms, Item: toItem(charger), ConditionExpression: 'attribute_not_exists(pk)' })),
      );
      return written ? 'created' : 'exists';
    },

    /** The profile with its password hash, for the password check; strongly consistent where asked. */
    async getWithSecret(chargerId: string, consistent = false): Promise<ChargerItem | undefined> {
      const out = await ctx.db.send(new GetCommand({ TableName: ctx.tables.Csms, Key: chargerKey(chargerId), ConsistentRead: consistent }));
      return out.Item && fromItem(out.Item);
    },

    async get(chargerId: string): Promise<ChargerProfile | undefined> {
      const out = await ctx.db.send(new GetCommand({ TableName: ctx.tables.Csms, Key: chargerKey(chargerId) }));
      return out.Item && toProfile(out.Item);
    },

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

    setRegistrationStatus: (chargerId: string, status: RegistrationStatus) => update(chargerId, { registrationStatus: status }),

    replacePasswordHash: (chargerId: string, passwordHash: string, at: Date) =>
      update(chargerId, { passwordHash, passwordRotatedAt: at.toISOString() }),
  };
};

export type ChargerStore = ReturnType<typeof chargerStore>;
