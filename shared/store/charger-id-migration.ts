/**
 * Charger ids are case-insensitive (issue 8): a profile is keyed by its id in lower case (`chargerKey`) and its
 * password hash is an item of its own (`CREDENTIALS`), which no stream consumer receives. A table written before holds
 * profiles under the id as registered with the hash on the profile: such a charger whose id has an upper-case letter
 * is refused as unknown, and every change of any such profile carried its hash into the table's stream. This moves
 * them, once: `npm run cli -- charger migrate-ids` (locally, or with `--aws`).
 *
 * A profile under another key is put under its key with its hash in a credentials item, the old item deleted, in one
 * transaction; one at its key that still carries its hash has it moved to a credentials item. Presence, connectors
 * and history stay where they are (keyed by the id as registered). Two profiles whose ids differ only in case cannot
 * share the key: the one there keeps it, the other is reported and left, for an operator to delete.
 */
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ChargerItem } from '../charger/registry.ts';
import { toCredentialsItem, toProfileItem } from './charger-store.ts';
import type { StoreContext } from './context.ts';
import { transactionConditionsFailed, unlessConditionFails, type Item } from './dynamo.ts';
import { forEachItemOfTypes, keyOf, moveItem, placeAsItIsNow } from './item-moves.ts';
import { chargerKey, withoutKeys } from './keys.ts';

export interface ChargerIdMigrationReport {
  /** Charger profiles scanned. */
  scanned: number;
  /** Profiles put under their key (the lower-case id), with their hash in a credentials item. */
  moved: number;
  /** Profiles at their key whose hash went to a credentials item. */
  hashesMoved: number;
  /** Profiles left where they are: their key holds another charger's profile (an id differing only in case). */
  conflicts: { pk: string; chargerId: string }[];
  /** Profiles written again and again while the run tried to move them: left for the next run. */
  busy: number;
}

export const chargerIdMigration = (ctx: StoreContext) => {
  const table = () => ctx.tables.Csms;

  /** The hash off the profile into a credentials item, unless one is there already (then it is the current one). */
  const moveHash = async (profile: Item, charger: ChargerItem): Promise<void> => {
    const removeHash = {
      TableName: table(),
      Key: keyOf(profile),
      UpdateExpression: 'REMOVE passwordHash',
      ConditionExpression: 'passwordHash = :hash',
      ExpressionAttributeValues: { ':hash': charger.passwordHash },
    };
    try {
      await ctx.db.send(
        new TransactWriteCommand({
          TransactItems: [{ Put: { TableName: table(), Item: toCredentialsItem(charger), ConditionExpression: 'attribute_not_exists(pk)' } }, { Update: removeHash }],
        }),
      );
    } catch (error) {
      const failed = transactionConditionsFailed(error);
      if (!failed) throw error;
      // A credentials item written since (a password rotation) is the current hash: the profile's is only dropped.
      if (failed[0] && !failed[1]) await unlessConditionFails(ctx.db.send(new UpdateCommand(removeHash)));
    }
  };

  return {
    async run(): Promise<ChargerIdMigrationReport> {
      const report: ChargerIdMigrationReport = { scanned: 0, moved: 0, hashesMoved: 0, conflicts: [], busy: 0 };
      const place = async (item: Item): Promise<'done' | 'changed'> => {
        const charger = withoutKeys<ChargerItem>(item);
        if (typeof charger.chargerId !== 'string') return 'done';
        const hash = typeof charger.passwordHash === 'string' ? charger.passwordHash : undefined;
        if (chargerKey(charger.chargerId).pk !== item.pk) {
          const outcome = await moveItem(ctx, item, toProfileItem(charger), hash !== undefined ? [toCredentialsItem(charger)] : []);
          if (outcome === 'changed') return 'changed';
          if (outcome === 'moved') report.moved++;
          else if (outcome === 'taken') report.conflicts.push({ pk: String(item.pk), chargerId: charger.chargerId });
        } else if (hash !== undefined) {
          await moveHash(item, charger);
          report.hashesMoved++;
        }
        return 'done';
      };
      await forEachItemOfTypes(ctx, ['Charger'], async (scanned) => {
        // The profile only: the other items of type Charger (none today) would have another sort key.
        if (scanned.sk !== 'CHARGER') return;
        report.scanned++;
        if (!(await placeAsItIsNow(ctx, scanned, place))) report.busy++;
      });
      return report;
    },
  };
};
