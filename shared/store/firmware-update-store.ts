/**
 * A charger's firmware updates (shared/file/firmware-update.ts): one item per UpdateFirmware / SignedUpdateFirmware
 * command under the charger and the request id its status notifications echo, so a notification that names it is
 * one UpdateItem, and listed newest first through gsi1.
 *
 * An update sent with a generated location is written with its download token (shared/file/firmware-download.ts) in
 * one transaction: no token without its update. A token item keeps its expiry twice: `validUntil` (ISO, what a
 * download compares with our clock) and `expiresAt` (epoch seconds, for TTL) a day later, so a late charger hears
 * `expired` (410), not `unknown` (404), for that day.
 */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FirmwareDownloadToken, IssuedDownloadToken } from '../file/firmware-download.ts';
import type { FirmwareUpdate, FirmwareUpdateReport } from '../file/firmware-update.ts';
import type { StoreContext } from './context.ts';
import { unlessConditionFails, type Item } from './dynamo.ts';
import { chargerFirmwareUpdatesIndex, chargerFirmwareUpdatesPk, downloadTokenKey, firmwareUpdateKey, withoutKeys } from './keys.ts';
import { mapPage, queryPage, type Page, type PageOptions } from './queries.ts';

const FIRMWARE_UPDATE_TYPE = 'FirmwareUpdate';
const DOWNLOAD_TOKEN_TYPE = 'FirmwareDownloadToken';
/** How long TTL leaves an expired token in place: the window in which it is refused as `expired`. */
const EXPIRED_TOKEN_LINGER_SECONDS = 86_400;
/**
 * Reports kept on one update: a charger that keeps reporting past this (a download retried without end) has its later
 * reports on its timeline only, and the update keeps its latest status from then on as well.
 */
export const MAX_FIRMWARE_REPORTS = 50;

const toUpdate = (item: Record<string, unknown>): FirmwareUpdate => withoutKeys<FirmwareUpdate>(item);

const toDownloadToken = (item: Item): FirmwareDownloadToken => {
  const { chargerId, commandId, fileId, s3Key, name, validUntil } = item as Record<string, string>;
  return { chargerId: String(chargerId), commandId: String(commandId), fileId: String(fileId), s3Key: String(s3Key), name: String(name), expiresAt: String(validUntil) };
};

export const firmwareUpdateStore = (ctx: StoreContext) => {
  const table = () => ctx.tables.Csms;
  return {
    /**
     * Records an update the CSMS is about to send (no reports yet), with the download token of its generated location
     * when it has one (one transaction of two PutItems; a single PutItem otherwise). A later command that reuses the
     * request id replaces the update: the charger's reports could not tell the two apart either.
     */
    async begin(update: Omit<FirmwareUpdate, 'reports'>, download?: IssuedDownloadToken): Promise<void> {
      const item = {
        ...firmwareUpdateKey(update.chargerId, update.requestId),
        ...chargerFirmwareUpdatesIndex(update.chargerId, update.requestedAt, update.commandId),
        type: FIRMWARE_UPDATE_TYPE,
        ...update,
        reports: [],
      };
      if (!download) {
        await ctx.db.send(new PutCommand({ TableName: table(), Item: item }));
        return;
      }
      const { stored } = download;
      const token = {
        ...downloadTokenKey(download.tokenHash),
        type: DOWNLOAD_TOKEN_TYPE,
        chargerId: stored.chargerId,
        commandId: stored.commandId,
        fileId: stored.fileId,
        s3Key: stored.s3Key,
        name: stored.name,
        validUntil: stored.expiresAt,
        expiresAt: Math.floor(Date.parse(stored.expiresAt) / 1000) + EXPIRED_TOKEN_LINGER_SECONDS,
      };
      await ctx.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: table(), Item: item } },
            // 256 random bits: a taken key means a broken generator, and the transaction fails rather than share it.
            { Put: { TableName: table(), Item: token, ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
    },

    /**
     * The download token stored as `tokenHash` (expired ones too, until TTL removes them): one GetItem, read strongly,
     * since a charger may fetch the moment it has the command.
     */
    async downloadToken(tokenHash: string): Promise<FirmwareDownloadToken | undefined> {
      const out = await ctx.db.send(new GetCommand({ TableName: table(), Key: downloadTokenKey(tokenHash), ConsistentRead: true }));
      return out.Item && toDownloadToken(out.Item);
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
