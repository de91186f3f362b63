/**
 * Remote starts the charger accepted (transaction/remote-start.ts), in its partition: a 2.x one by remoteStartId,
 * a 1.6 pending one by idTag. Small items with a TTL a day after the answer; the domain checks the age itself (TTL
 * deletes lazily). The charger's transaction messages read them in the BatchGetItem they send anyway (`read*`).
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { PendingStart, RemoteStart } from '../transaction/remote-start.ts';
import type { StoreContext } from './context.ts';
import { unlessConditionFails, type Item } from './dynamo.ts';
import { pendingStartKey, remoteStartKey, withoutKeys } from './keys.ts';
import { expiresAfter } from './retention.ts';
import type { ItemRead } from './stores.ts';

const KEPT_DAYS = 1;

export const remoteStartStore = (ctx: StoreContext) => {
  const put = (item: Item, acceptedAt: string) =>
    ctx.db.send(new PutCommand({ TableName: ctx.tables.Csms, Item: { ...item, expiresAt: expiresAfter(new Date(acceptedAt), KEPT_DAYS) } }));
  const decode = <T>(item: Item): T => {
    const { expiresAt: _ttl, ...record } = withoutKeys<Item>(item);
    return record as T;
  };
  const read = <T>(key: { pk: string; sk: string }): ItemRead<T> => ({ table: ctx.tables.Csms, key, decode: (i) => decode<T>(i) });

  return {
    async remember(r: RemoteStart): Promise<void> {
      await put({ ...remoteStartKey(r.chargerId, r.remoteStartId), type: 'RemoteStart', ...r }, r.acceptedAt);
    },
    /** For `readTogether` / `readAndAuthorize`'s `also`. */
    read: (chargerId: string, remoteStartId: number) => read<RemoteStart>(remoteStartKey(chargerId, remoteStartId)),
    async get(chargerId: string, remoteStartId: number): Promise<RemoteStart | undefined> {
      const out = await ctx.db.send(new GetCommand({ TableName: ctx.tables.Csms, Key: remoteStartKey(chargerId, remoteStartId) }));
      return out.Item && decode<RemoteStart>(out.Item);
    },

    /** A second pending start with the same idTag replaces the first. */
    async rememberPending(p: PendingStart): Promise<void> {
      await put({ ...pendingStartKey(p.chargerId, p.idTag), type: 'PendingRemoteStart', ...p }, p.acceptedAt);
    },
    readPending: (chargerId: string, idTag: string) => read<PendingStart>(pendingStartKey(chargerId, idTag)),
    /** Uses the pending start up, unless another remote start with its idTag replaced it meanwhile. */
    async forgetPending(p: Pick<PendingStart, 'chargerId' | 'idTag' | 'commandId'>): Promise<void> {
      await unlessConditionFails(
        ctx.db.send(
          new DeleteCommand({
            TableName: ctx.tables.Csms,
            Key: pendingStartKey(p.chargerId, p.idTag),
            ConditionExpression: 'commandId = :command',
            ExpressionAttributeValues: { ':command': p.commandId },
          }),
        ),
      );
    },
  };
};

export type RemoteStartStore = ReturnType<typeof remoteStartStore>;
