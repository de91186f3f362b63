/**
 * A charger's firmware updates (shared/file/firmware-update.ts): one item per UpdateFirmware / SignedUpdateFirmware
 * command under the charger and the request id its status notifications echo, so a notification that names it is
 * one UpdateItem, and listed newest first through gsi1.
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FirmwareUpdate, FirmwareUpdateReport } from '../file/firmware-update.ts';
import type { StoreContext } from './context.ts';
import { unlessConditionFails } from './dynamo.ts';
import { chargerFirmwareUpdatesIndex, chargerFirmwareUpdatesPk, firmwareUpdateKey, withoutKeys } from './keys.ts';
import { mapPage, queryPage, type Page, type PageOptions } from './queries.ts';

const FIRMWARE_UPDATE_TYPE = 'FirmwareUpdate';
/**
 * Reports kept on one update: a charger that keeps reporting past this (a download retried without end) has its later
 * reports on its timeline only, and the update keeps its latest status from then on as well.
 */
export const MAX_FIRMWARE_REPORTS = 50;

const toUpdate = (item: Record<string, unknown>): FirmwareUpdate => withoutKeys<FirmwareUpdate>(item);

export const firmwareUpdateStore = (ctx: StoreContext) => {
  const table = () => ctx.tables.Csms;
  return {
    /**
     * Records an update the CSMS is about to send (no reports yet). A later command that reuses the request id
     * replaces it: the charger's reports could not tell the two apart either.
     */
    async begin(update: Omit<FirmwareUpdate, 'reports'>): Promise<void> {
      await ctx.db.send(
        new PutCommand({
          TableName: table(),
          Item: {
            ...firmwareUpdateKey(update.chargerId, update.requestId),
            ...chargerFirmwareUpdatesIndex(update.chargerId, update.requestedAt, update.commandId),
            type: FIRMWARE_UPDATE_TYPE,
            ...update,
            reports: [],
          },
        }),
      );
    },

    /** The charger's answer to the command of the update (only while the update is that command's). */
    async answer(chargerId: string, requestId: number, commandId: string, answer: { readonly answeredAt: string; readonly answer?: string }): Promise<void> {
      await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: table(),
            Key: firmwareUpdateKey(chargerId, requestId),
            UpdateExpression: answer.answer === undefined ? 'SET answeredAt = :at' : 'SET answeredAt = :at, answer = :answer',
            ConditionExpression: 'commandId = :commandId',
            ExpressionAttributeValues: { ':at': answer.answeredAt, ':commandId': commandId, ...(answer.answer === undefined ? {} : { ':answer': answer.answer }) },
          }),
        ),
      );
    },

    /**
     * Appends a status the charger reported to its update of `requestId` and makes it the latest: one UpdateItem.
     * False when there is no such update (nothing is created) or it holds MAX_FIRMWARE_REPORTS already.
     */
    async report(chargerId: string, requestId: number, report: FirmwareUpdateReport): Promise<boolean> {
      const out = await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: table(),
            Key: firmwareUpdateKey(chargerId, requestId),
            UpdateExpression: 'SET #status = :status, reportedAt = :at, reports = list_append(reports, :report)',
            ConditionExpression: 'attribute_exists(pk) AND size(reports) < :max',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': report.status, ':at': report.at, ':report': [report], ':max': MAX_FIRMWARE_REPORTS },
          }),
        ),
      );
      return out !== undefined;
    },

    /** The charger's updates (any case of its id), newest first: one Query of gsi1. */
    listForCharger: async (chargerId: string, options: PageOptions = {}): Promise<Page<FirmwareUpdate>> =>
      mapPage(await queryPage(ctx, { index: 'gsi1', pk: chargerFirmwareUpdatesPk(chargerId) }, { newestFirst: true, ...options }), toUpdate),

    /** The charger's newest update, if any: one Query of gsi1 for one item. */
    async newest(chargerId: string): Promise<FirmwareUpdate | undefined> {
      return (await queryPage(ctx, { index: 'gsi1', pk: chargerFirmwareUpdatesPk(chargerId) }, { newestFirst: true, limit: 1 })).items.map(toUpdate)[0];
    },
  };
};

export type FirmwareUpdateStore = ReturnType<typeof firmwareUpdateStore>;
