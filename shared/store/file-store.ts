/**
 * Files and their one-time upload tokens. A file is created `requested` together with the token that lets its
 * charger upload it (one transaction: no token without its file, no requested file without a way to upload it).
 * Redeeming a token is one conditional UpdateItem; when it fails, the item it found (ReturnValuesOnConditionCheckFailure)
 * tells the domain why, without a second read. Deleting a file deletes its token with it.
 *
 * A token item keeps its expiry twice: `validUntil` (ISO, what the condition compares with our clock) and
 * `expiresAt` (epoch seconds, for TTL) a day later, so a late charger hears `expired`, not `unknown`, for that day.
 */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { chargerIdKey } from '../charger/charger-id.ts';
import type { ChargerFileRecord, FileRecord, FirmwareRecord, UploadedObject } from '../file/file-record.ts';
import type { UploadToken } from '../file/upload-token.ts';
import type { StoreContext } from './context.ts';
import { isConditionFailed, itemOfFailedCondition, transactionConditionsFailed, unlessConditionFails, type Item } from './dynamo.ts';
import { chargerDiagnosticsIndex, chargerDiagnosticsPk, chargerFilesIndex, chargerFilesPk, fileKey, FIRMWARE_FILES_PK, firmwareFilesIndex, uploadTokenKey, withoutKeys } from './keys.ts';
import { mapPage, queryPage, timeBetween, type Page, type PageOptions, type TimeRange } from './queries.ts';
import { setRemove } from './update-expression.ts';

const FILE_TYPE = 'File';
const UPLOAD_TOKEN_TYPE = 'UploadToken';
/** How long TTL leaves an expired token in place: the window in which it is refused as `expired`. */
const EXPIRED_TOKEN_LINGER_SECONDS = 86_400;

/**
 * The hash of the file's upload token, kept on the file item so that deleting the file can void the token in the
 * same transaction (a file deleted before its charger uploads must not be uploadable any more). Never in a record.
 */
const TOKEN_HASH = 'uploadTokenHash';

const toFile = (item: Item): FileRecord => {
  const { [TOKEN_HASH]: _hash, ...file } = withoutKeys<Item>(item);
  return file as unknown as FileRecord;
};

const toUploadToken = (item: Item): UploadToken => {
  const { chargerId, commandId, fileId, kind, validUntil, usedAt } = item as Record<string, string | undefined>;
  return {
    chargerId: String(chargerId),
    commandId: String(commandId),
    fileId: String(fileId),
    kind: kind as UploadToken['kind'],
    expiresAt: String(validUntil),
    ...(usedAt !== undefined ? { usedAt } : {}),
  };
};

/** A charger's report on its upload, as the file keeps it (`at`: when we received it). */
export type UploadStatusReport = { readonly status: 'uploading'; readonly at: string } | { readonly status: 'failed'; readonly at: string; readonly failure: string };

export type RedeemOutcome = { readonly redeemed: true; readonly token: UploadToken } | { readonly redeemed: false; readonly found?: UploadToken };

export const fileStore = (ctx: StoreContext) => {
  const table = () => ctx.tables.Csms;

  return {
    /**
     * Records `file` (status `requested`) and the upload token stored as `tokenHash`, in one transaction; `exists`
     * when either key is taken (nothing is written then).
     */
    async createRequested(file: ChargerFileRecord, tokenHash: string, token: UploadToken): Promise<'created' | 'exists'> {
      try {
        await ctx.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table(),
                  Item: {
                    ...fileKey(file.fileId),
                    ...chargerFilesIndex(file.chargerId, file.createdAt, file.fileId),
                    ...(file.kind === 'diagnostics' ? chargerDiagnosticsIndex(file.chargerId, file.createdAt, file.fileId) : {}),
                    type: FILE_TYPE,
                    ...file,
                    [TOKEN_HASH]: tokenHash,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: table(),
                  Item: {
                    ...uploadTokenKey(tokenHash),
                    type: UPLOAD_TOKEN_TYPE,
                    chargerId: token.chargerId,
                    chargerKey: chargerIdKey(token.chargerId),
                    commandId: token.commandId,
                    fileId: token.fileId,
                    kind: token.kind,
                    validUntil: token.expiresAt,
                    expiresAt: Math.floor(Date.parse(token.expiresAt) / 1000) + EXPIRED_TOKEN_LINGER_SECONDS,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return 'created';
      } catch (error) {
        if (transactionConditionsFailed(error)) return 'exists';
        throw error;
      }
    },

    /**
     * Marks the token stored as `tokenHash` used at `at`, if it exists, is unused, has not expired by `at` and, when
     * `chargerId` is given, is that charger's (any case). Exactly one of concurrent redeems wins; the others, and
     * every refused one, answer the item as they found it (none: no such token) and change nothing.
     */
    async redeemUploadToken(tokenHash: string, at: Date, chargerId?: string): Promise<RedeemOutcome> {
      const ofCharger = chargerId === undefined ? '' : ' AND chargerKey = :chargerKey';
      try {
        const out = await ctx.db.send(
          new UpdateCommand({
            TableName: table(),
            Key: uploadTokenKey(tokenHash),
            UpdateExpression: 'SET usedAt = :now',
            ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(usedAt) AND validUntil > :now${ofCharger}`,
            ExpressionAttributeValues: { ':now': at.toISOString(), ...(chargerId === undefined ? {} : { ':chargerKey': chargerIdKey(chargerId) }) },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { redeemed: true, token: toUploadToken(out.Attributes ?? {}) };
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        const found = itemOfFailedCondition(error);
        return found ? { redeemed: false, found: toUploadToken(found) } : { redeemed: false };
      }
    },

    /**
     * Makes the token stored as `tokenHash` unused again, if it is still marked used at exactly `usedAt` (the redeem
     * that is giving it back, not a later one); `released`, or `not-held` when nothing changed.
     */
    async releaseUploadToken(tokenHash: string, usedAt: Date): Promise<'released' | 'not-held'> {
      const out = await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: table(),
            Key: uploadTokenKey(tokenHash),
            UpdateExpression: 'REMOVE usedAt',
            ConditionExpression: 'usedAt = :usedAt',
            ExpressionAttributeValues: { ':usedAt': usedAt.toISOString() },
          }),
        ),
      );
      return out ? 'released' : 'not-held';
    },

    async get(fileId: string, consistent = false): Promise<FileRecord | undefined> {
      const out = await ctx.db.send(new GetCommand({ TableName: table(), Key: fileKey(fileId), ConsistentRead: consistent }));
      return out.Item && toFile(out.Item);
    },

    /** A charger's files (any case of its id), newest first, optionally created within `from`–`to`: one Query of gsi1. */
    listForCharger: async (chargerId: string, options: PageOptions & TimeRange = {}): Promise<Page<FileRecord>> => {
      const between = timeBetween(options);
      const q = { index: 'gsi1' as const, pk: chargerFilesPk(chargerId), ...(between ? { between } : {}) };
      return mapPage(await queryPage(ctx, q, { newestFirst: true, ...options }), toFile);
    },

    /**
     * Records what landed in the bucket for an existing file (`uploaded`, clearing a failure reported before);
     * the file as it is now, or undefined when there is no such file, it is a firmware image whose declared
     * checksum the object does not have, or it is recorded as another object already (the first object to land
     * keeps the file: concurrent events of two objects of one folder cannot both win). Nothing is written then.
     * Writing the same object twice (a redelivered event) changes nothing.
     */
    async markUploaded(fileId: string, object: UploadedObject): Promise<FileRecord | undefined> {
      const { at, ...landed } = object;
      const update = setRemove({ status: 'uploaded', ...landed, uploadedAt: at }, ['failure']);
      const out = await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: table(),
            Key: fileKey(fileId),
            ...update,
            ConditionExpression: 'attribute_exists(pk) AND (#kind <> :firmware OR #declared = :landed) AND (attribute_not_exists(#key) OR #key = :key)',
            ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#kind': 'kind', '#declared': 'sha256', '#key': 's3Key' },
            ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':firmware': 'firmware', ':landed': landed.sha256, ':key': landed.s3Key },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return out?.Attributes && toFile(out.Attributes);
    },

    /**
     * What the charger reported about its upload of a file of `kind` (its status notification): `uploading` (a
     * failure reported before is cleared: the charger tries again) or `failed` with the status it reported. One
     * conditional UpdateItem: the file must be that charger's (any case of its id) and of that kind, and not
     * `uploaded` (a late report never takes back a file that landed). `false`: no such file, or nothing changed.
     */
    async reportUploadStatus(fileId: string, chargerId: string, kind: ChargerFileRecord['kind'], report: UploadStatusReport): Promise<boolean> {
      const update =
        report.status === 'uploading'
          ? setRemove({ status: report.status, reportedAt: report.at }, ['failure'])
          : setRemove({ status: report.status, reportedAt: report.at, failure: report.failure }, []);
      const out = await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: table(),
            Key: fileKey(fileId),
            ...update,
            ConditionExpression: 'attribute_exists(pk) AND gsi1pk = :chargerFiles AND #kind = :kind AND #status <> :uploaded',
            ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#kind': 'kind', '#status': 'status' },
            ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':chargerFiles': chargerFilesPk(chargerId), ':kind': kind, ':uploaded': 'uploaded' },
          }),
        ),
      );
      return out !== undefined;
    },

    /** The id of the charger's newest diagnostics file (any case of its id), if any: one Query of gsi2 for one item. */
    async newestDiagnostics(chargerId: string): Promise<string | undefined> {
      const page = await queryPage(ctx, { index: 'gsi2', pk: chargerDiagnosticsPk(chargerId) }, { newestFirst: true, limit: 1 });
      const fileId = page.items[0]?.fileId;
      return typeof fileId === 'string' ? fileId : undefined;
    },

    /**
     * Removes the file's item and, when it has one, its upload token (used or not), in one transaction: a token never
     * outlives its file. `not-found` when there is no such file (nothing is written).
     */
    async delete(fileId: string): Promise<'deleted' | 'not-found'> {
      const found = await ctx.db.send(
        new GetCommand({ TableName: table(), Key: fileKey(fileId), ConsistentRead: true, ProjectionExpression: 'pk, #hash', ExpressionAttributeNames: { '#hash': TOKEN_HASH } }),
      );
      if (!found.Item) return 'not-found';
      const tokenHash = found.Item[TOKEN_HASH];
      try {
        await ctx.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Delete: { TableName: table(), Key: fileKey(fileId), ConditionExpression: 'attribute_exists(pk)' } },
              ...(typeof tokenHash === 'string' ? [{ Delete: { TableName: table(), Key: uploadTokenKey(tokenHash) } }] : []),
            ],
          }),
        );
        return 'deleted';
      } catch (error) {
        // Another delete removed it between the read and the transaction.
        if (transactionConditionsFailed(error)) return 'not-found';
        throw error;
      }
    },

    /** Records a firmware image an operator declared (status `requested`); `exists` when the id is taken (nothing written). */
    async createFirmware(firmware: FirmwareRecord): Promise<'created' | 'exists'> {
      const out = await unlessConditionFails(
        ctx.db.send(
          new PutCommand({
            TableName: table(),
            Item: { ...fileKey(firmware.fileId), ...firmwareFilesIndex(firmware.createdAt, firmware.fileId), type: FILE_TYPE, ...firmware },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return out ? 'created' : 'exists';
    },

    /** Firmware images, newest first: one Query of gsi1. */
    listFirmware: async (options: PageOptions = {}): Promise<Page<FirmwareRecord>> =>
      mapPage(await queryPage(ctx, { index: 'gsi1', pk: FIRMWARE_FILES_PK }, { newestFirst: true, ...options }), (item) => toFile(item) as FirmwareRecord),
  };
};

export type FileStore = ReturnType<typeof fileStore>;
