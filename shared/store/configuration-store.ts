/**
 * A charger's settings (shared/charger/configuration.ts), one item each, written by the effect of the answered
 * command that told us. Each write is conditional on the answer's time, so of two answers about one setting the later
 * one stays, whichever is written last: an effect runs after its command ended, when the next command may already
 * have been answered.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ChargerSetting, SettingRef } from '../charger/configuration.ts';
import type { StoreContext } from './context.ts';
import { inParallel, unlessConditionFails, type Item } from './dynamo.ts';
import { CONFIGURATION_PREFIX, configurationKey, configurationPk, withoutKeys } from './keys.ts';
import { mapPage, queryPage, type Page, type PageOptions } from './queries.ts';

/** PutItems of one answer in flight at once: a full 1.6 GetConfiguration (a hundred keys or so) in a few round trips. */
const PARALLEL_PUTS = 8;

/** Written unless the stored item came from a later answer. */
const NOT_LATER = 'attribute_not_exists(reportedAt) OR reportedAt <= :at';

export interface KeptSettings {
  readonly kept: number;
  /** Settings a later answer had already set: left as they were. */
  readonly superseded: number;
}

export const configurationStore = (ctx: StoreContext) => ({
  /** Keeps each setting (one conditional PutItem each) unless a later answer set it already. */
  async keep(settings: readonly ChargerSetting[]): Promise<KeptSettings> {
    let superseded = 0;
    await inParallel(settings, PARALLEL_PUTS, async (setting) => {
      const put = new PutCommand({
        TableName: ctx.tables.Csms,
        Item: { ...configurationKey(setting.chargerId, setting), type: 'ChargerSetting', ...setting },
        ConditionExpression: NOT_LATER,
        ExpressionAttributeValues: { ':at': setting.reportedAt },
      });
      if ((await unlessConditionFails(ctx.db.send(put))) === undefined) superseded += 1;
    });
    return { kept: settings.length - superseded, superseded };
  },

  /** One setting, for reading it together with other items (stores.ts `readTogether`). */
  read: (chargerId: string, setting: SettingRef) => ({ table: ctx.tables.Csms, key: configurationKey(chargerId, setting), decode: (item: Item) => withoutKeys<ChargerSetting>(item) }),

  /** The charger's settings: 1.6 keys, then 2.x variables by component and variable (names in lower case). */
  async list(chargerId: string, page: PageOptions = {}): Promise<Page<ChargerSetting>> {
    const found = await queryPage(ctx, { pk: configurationPk(chargerId), beginsWith: CONFIGURATION_PREFIX }, page);
    return mapPage(found, (item) => withoutKeys<ChargerSetting>(item));
  },
});

export type ConfigurationStore = ReturnType<typeof configurationStore>;
