/**
 * Meter readings: one item per sampled-at timestamp, keyed by its content, so a reading sent again (after a
 * reconnect, or once in MeterValues and again in StopTransaction's transactionData) is stored once.
 * Plain puts: batched with the message's other facts and its message-log entry.
 */
import type { MeterValuesInput, StoredMeterValue } from '../transaction/meter-values.ts';
import { energyRegisterWh } from '../transaction/meter-values.ts';
import type { StoreContext } from './context.ts';
import { METER_INDEX_PREFIX, meterKeys, meterPk, transactionMetersPk, withoutKeys } from './keys.ts';
import { mapPage, queryAll, queryPage, type Page, type PageOptions } from './queries.ts';
import { expiresAfter } from './retention.ts';

export const meterValueStore = (ctx: StoreContext) => {
  const fromItems = (items: Record<string, unknown>[]) => items.map((i) => withoutKeys<StoredMeterValue>(i));
  return {
    async record(input: MeterValuesInput): Promise<void> {
      const now = ctx.now();
      const expiresAt = expiresAfter(now, ctx.retention.meterValuesDays);
      await Promise.all(
        input.samples.map((sample) => {
          const energyWh = energyRegisterWh(sample);
          // A transaction's reading is the same reading whichever message brings it.
          const fact =
            input.transactionId !== undefined
              ? ['tx', input.transactionId, sample.sampledValue]
              : [input.evseId, input.connectorId, sample.sampledValue];
          const value: StoredMeterValue = {
            chargerId: input.chargerId,
            source: input.source,
            timestamp: sample.timestamp,
            sampledValue: sample.sampledValue,
            ...(sample.chargerTimestamp !== undefined ? { chargerTimestamp: sample.chargerTimestamp } : {}),
            ...(energyWh !== undefined ? { energyWh } : {}),
            ...(input.evseId !== undefined ? { evseId: input.evseId } : {}),
            ...(input.connectorId !== undefined ? { connectorId: input.connectorId } : {}),
            ...(input.transactionId !== undefined ? { transactionId: input.transactionId } : {}),
          };
          return ctx.puts.put(ctx.tables.Csms, {
            ...meterKeys(input.chargerId, sample.timestamp, fact, input.transactionId),
            type: 'MeterValue',
            ...value,
            expiresAt,
          });
        }),
      );
    },

    listOfTransaction: async (chargerId: string, transactionId: string) =>
      fromItems(await queryAll(ctx, { index: 'gsi1', pk: transactionMetersPk(chargerId, transactionId), beginsWith: METER_INDEX_PREFIX })),

    /**
     * One page of a transaction's readings in time order; `from`/`to` bound the reading's timestamp (inclusive, ISO
     * prefixes work), on the index sort key.
     */
    pageOfTransaction: async (chargerId: string, transactionId: string, options: PageOptions & { from?: string; to?: string } = {}): Promise<Page<StoredMeterValue>> => {
      const { from, to, ...page } = options;
      const between = [`${METER_INDEX_PREFIX}${from ?? '0'}`, `${METER_INDEX_PREFIX}${to ?? '9999'}~`] as const;
      const items = await queryPage(ctx, { index: 'gsi1', pk: transactionMetersPk(chargerId, transactionId), between }, { limit: 50, ...page });
      return mapPage(items, (i) => withoutKeys<StoredMeterValue>(i));
    },

    /** The time of the transaction's newest reading (one item read backwards on gsi1), if it has any. */
    latestOfTransaction: async (chargerId: string, transactionId: string): Promise<string | undefined> => {
      const page = await queryPage(ctx, { index: 'gsi1', pk: transactionMetersPk(chargerId, transactionId), beginsWith: METER_INDEX_PREFIX }, { newestFirst: true, limit: 1 });
      const newest = page.items[0];
      return newest === undefined ? undefined : withoutKeys<StoredMeterValue>(newest).timestamp;
    },

    listOfCharger: async (chargerId: string, from: string, to: string) =>
      fromItems(await queryAll(ctx, { pk: meterPk(chargerId), between: [from, `${to}~`] })),
  };
};

export type MeterValueStore = ReturnType<typeof meterValueStore>;
