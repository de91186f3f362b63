/**
 * Live connection state of a charger, one item per charger. Exactly one connection counts: the newest by
 * API Gateway's connectedAt wins, and a late $disconnect of an older connection cannot mark a newer one
 * offline (every write is conditioned on the connection id). Handlers learn which charger a connection
 * belongs to from the $connect authorizer's context, which API Gateway repeats on every event of the
 * connection, so no connection-id → charger item is written.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ConnectionRecord, Presence, UploadKind } from '../charger/presence.ts';
import type { StoreContext } from './context.ts';
import { unlessConditionFails } from './dynamo.ts';
import { LIVE_SHARDS, liveConnectionIndex, liveConnectionsPk, presenceKey, withoutKeys } from './keys.ts';
import { countQuery, queryAll } from './queries.ts';

export type AttachResult =
  | { attached: true; replacedConnectionId?: string }
  /** A newer connection of the same charger is already registered: this one is stale and must be refused. */
  | { attached: false };

/** The `type` of presence items (the stream routes filter on it). */
export const PRESENCE_TYPE = 'Presence';

/**
 * The part of an UpdateItem of presence that makes it a whole presence item even when the charger never connected
 * through us (data from elsewhere, or a command held before its first connection): a SET clause with its names and
 * values, for the update to add its own to.
 */
export const wholePresenceItem = (chargerId: string) => ({
  set: '#type = :presenceType, chargerId = :presenceCharger, connected = if_not_exists(connected, :presenceOffline)',
  names: { '#type': 'type' },
  values: { ':presenceType': PRESENCE_TYPE, ':presenceCharger': chargerId, ':presenceOffline': false },
});

/** The presence attribute holding the latest status of each kind of upload / update. */
const UPLOAD_STATUS_ATTRIBUTE: Record<UploadKind, string> = {
  FirmwareStatus: 'firmwareStatus',
  DiagnosticsStatus: 'diagnosticsStatus',
  LogStatus: 'logStatus',
};

export const presenceStore = (ctx: StoreContext) => {
  return {
    /** One conditional write: registers the connection unless a newer one of the charger is registered. */
    async attach(connection: ConnectionRecord & { sourceIp?: string }): Promise<AttachResult> {
      const live = liveConnectionIndex(connection.chargerId, connection.connectedAt);
      const out = await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: ctx.tables.Csms,
            Key: presenceKey(connection.chargerId),
            UpdateExpression:
              'SET #type = :type, chargerId = :charger, connected = :true, connectionId = :conn, protocol = :protocol, ' +
              'connectedAt = :at, lastSeenAt = :seen, sourceIp = :ip, gsi2pk = :livePk, gsi2sk = :liveSk REMOVE disconnectedAt',
            // Last writer by connection time wins; equal times are the same connection retried.
            ConditionExpression: 'attribute_not_exists(connectedAt) OR connectedAt <= :at',
            ExpressionAttributeNames: { '#type': 'type' },
            ExpressionAttributeValues: {
              ':type': PRESENCE_TYPE,
              ':charger': connection.chargerId,
              ':true': true,
              ':conn': connection.connectionId,
              ':protocol': connection.protocol,
              ':at': connection.connectedAt,
              ':seen': ctx.now().toISOString(),
              ':ip': connection.sourceIp ?? 'unknown',
              ':livePk': live.gsi2pk,
              ':liveSk': live.gsi2sk,
            },
            ReturnValues: 'ALL_OLD',
          }),
        ),
      );
      if (!out) return { attached: false };
      const previous = out.Attributes as Presence | undefined;
      const replaced = previous?.connected && previous.connectionId !== connection.connectionId ? previous.connectionId : undefined;
      return replaced ? { attached: true, replacedConnectionId: replaced } : { attached: true };
    },

    /** Marks the charger offline if `connectionId` is still its connection; false when a newer one took over. */
    async detach(chargerId: string, connectionId: string): Promise<boolean> {
      const out = await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: ctx.tables.Csms,
            Key: presenceKey(chargerId),
            UpdateExpression: 'SET connected = :false, disconnectedAt = :now REMOVE connectionId, gsi2pk, gsi2sk',
            ConditionExpression: 'connectionId = :conn',
            ExpressionAttributeValues: { ':false': false, ':now': ctx.now().toISOString(), ':conn': connectionId },
          }),
        ),
      );
      return out !== undefined;
    },

    /** Connections registered as live that opened before `openedBefore` (ISO time), every shard. */
    async liveOpenedBefore(openedBefore: string): Promise<ConnectionRecord[]> {
      const shards = Array.from({ length: LIVE_SHARDS }, (_, shard) =>
        queryAll(ctx, { index: 'gsi2', pk: liveConnectionsPk(shard), between: ['0', openedBefore] }),
      );
      return (await Promise.all(shards)).flat().map((item) => withoutKeys<ConnectionRecord>(item));
    },

    /** How many connections are registered as live: a COUNT Query of each shard (reads the index, returns no items). */
    async countLive(): Promise<number> {
      const countShard = (shard: number) =>
        countQuery(ctx, { TableName: ctx.tables.Csms, IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': liveConnectionsPk(shard) } });
      const counts = await Promise.all(Array.from({ length: LIVE_SHARDS }, (_, shard) => countShard(shard)));
      return counts.reduce((a, b) => a + b, 0);
    },

    /** For reading presence together with the profile (stores.ts `readTogether`). */
    read: (chargerId: string) => ({ table: ctx.tables.Csms, key: presenceKey(chargerId), decode: (item: Record<string, unknown>) => withoutKeys<Presence>(item) }),

    async get(chargerId: string): Promise<Presence | undefined> {
      const out = await ctx.db.send(new GetCommand({ TableName: ctx.tables.Csms, Key: presenceKey(chargerId) }));
      return out.Item && withoutKeys<Presence>(out.Item);
    },

    /**
     * Removes the mark of held commands once they were released, unless a command was held after `releasedFrom` (its
     * mark stays, for the next connection or boot). One conditional UpdateItem.
     */
    async clearHeldCommandsMark(chargerId: string, releasedFrom: string): Promise<void> {
      await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: ctx.tables.Csms,
            Key: presenceKey(chargerId),
            UpdateExpression: 'REMOVE heldCommandsAt',
            ConditionExpression: 'heldCommandsAt <= :from',
            ExpressionAttributeValues: { ':from': releasedFrom },
          }),
        ),
      );
    },

    /** Keeps the latest firmware / diagnostics / log status where "where is it now" is one read. */
    async setLatestUploadStatus(chargerId: string, kind: UploadKind, status: string): Promise<void> {
      const attribute = UPLOAD_STATUS_ATTRIBUTE[kind];
      const whole = wholePresenceItem(chargerId);
      await ctx.db.send(
        new UpdateCommand({
          TableName: ctx.tables.Csms,
          Key: presenceKey(chargerId),
          UpdateExpression: `SET #attr = :status, #attrAt = :at, ${whole.set}`,
          ExpressionAttributeNames: { '#attr': attribute, '#attrAt': `${attribute}At`, ...whole.names },
          ExpressionAttributeValues: { ':status': status, ':at': ctx.now().toISOString(), ...whole.values },
        }),
      );
    },
  };
};

export type PresenceStore = ReturnType<typeof presenceStore>;
