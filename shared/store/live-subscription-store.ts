/**
 * Operators' live-event connections and their subscriptions (docs/live-events.md, docs/data-model.md). The
 * connection item lists the targets it holds, so `$disconnect` removes its subscriptions by key, never by a scan;
 * each subscription is an item in its target's partition, so the fan-out reads a target's subscribers with one
 * Query. Every item expires a little after API Gateway's two-hour connection limit, in case a `$disconnect` is lost.
 *
 * A subscription also writes its target's marker (and, for a location, the marker of ANY_LOCATION_TARGET): "until
 * then, this partition may hold subscribers". Every subscribe moves it to now + the connection lifetime, later than
 * any connection subscribed there can live, so a marker in the past means nobody is left. The fan-out reads the
 * markers of a batch's targets in one BatchGetItem and queries only live ones: a change nobody watches costs one
 * read per batch, not one per target. Unsubscribing leaves the marker: until it expires it costs a Query that finds
 * no one, never a missed event.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Subscriber, SubscriberDirectory } from '../live/fan-out.ts';
import { ANY_LOCATION_TARGET, isLocationTarget, type LiveKind, type LiveTarget } from '../live/live-event.ts';
import type { SubscribeOutcome } from '../live/subscriptions.ts';
import type { StoreContext } from './context.ts';
import { deleteAll, getAll, putAll, unlessConditionFails } from './dynamo.ts';
import { chargerKey, liveSubscriptionKey, liveSubscriptionPk, liveTargetMarkerKey, operatorConnectionKey } from './keys.ts';
import { queryAll } from './queries.ts';

/** API Gateway closes a WebSocket connection after 2 hours; the items outlive it by 10 minutes. */
export const OPERATOR_CONNECTION_TTL_SECONDS = 2 * 3600 + 600;
/** A marker outlives its subscriptions by this much more: two subscribes' writes may land out of order (clock skew too). */
const MARKER_MARGIN_SECONDS = 300;

export interface OperatorConnection {
  readonly connectionId: string;
  /** Who connected: a user name, or `client:<id>` for a machine client. */
  readonly principal: string;
  readonly connectedAt: string;
}

const CONNECTION_TYPE = 'OperatorConnection';
const SUBSCRIPTION_TYPE = 'LiveSubscription';
const MARKER_TYPE = 'LiveTargetMarker';

export const liveSubscriptionStore = (ctx: StoreContext, limits: { readonly maxTargets: number }) => {
  // Read on use: a function whose route has no table access still builds its stores (functions/_common/deps.ts).
  const table = () => ctx.tables.Csms;
  const subscriptionKeys = (connectionId: string, targets: readonly LiveTarget[]) =>
    targets.map((t) => ({ table: table(), key: liveSubscriptionKey(t, connectionId) }));

  const close = async (connectionId: string): Promise<void> => {
    const out = await ctx.db.send(new DeleteCommand({ TableName: table(), Key: operatorConnectionKey(connectionId), ReturnValues: 'ALL_OLD' }));
    const held = out.Attributes?.targets as Set<string> | undefined;
    if (held && held.size > 0) await deleteAll(ctx.db, subscriptionKeys(connectionId, [...held]));
  };

  const directory: SubscriberDirectory = {
    async watched(targets) {
      if (targets.length === 0) return new Set();
      const markers = await getAll(ctx.db, targets.map((t) => ({ table: table(), key: liveTargetMarkerKey(t) })));
      const now = Math.floor(ctx.now().getTime() / 1000);
      return new Set(targets.filter((_, i) => Number(markers[i]?.expiresAt ?? 0) > now));
    },
    async subscribersOf(target) {
      const items = await queryAll(ctx, { pk: liveSubscriptionPk(target) });
      return items
        .filter((i) => i.type === SUBSCRIPTION_TYPE)
        .map((i): Subscriber => ({ connectionId: String(i.connectionId), kinds: (i.kinds as LiveKind[] | undefined) ?? [] }));
    },
    async locationsOf(chargerIds) {
      const items = await getAll(ctx.db, chargerIds.map((id) => ({ table: table(), key: chargerKey(id) })));
      return new Map(chargerIds.flatMap((id, i) => (typeof items[i]?.locationId === 'string' ? [[id, items[i].locationId as string] as const] : [])));
    },
    close,
  };

  return {
    ...directory,

    async open(connection: OperatorConnection): Promise<void> {
      const expiresAt = Math.floor(ctx.now().getTime() / 1000) + OPERATOR_CONNECTION_TTL_SECONDS;
      await ctx.db.send(new PutCommand({ TableName: table(), Item: { ...operatorConnectionKey(connection.connectionId), type: CONNECTION_TYPE, ...connection, expiresAt } }));
    },

    /** Adds (or re-kinds) subscriptions: the connection item first, so a `$disconnect` always finds what to remove. */
    async subscribe(connectionId: string, targets: readonly LiveTarget[], kinds: readonly LiveKind[]): Promise<SubscribeOutcome> {
      const out = await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
            TableName: table(),
            Key: operatorConnectionKey(connectionId),
            UpdateExpression: 'ADD targets :targets',
            // Room for all of them, counting targets held again as new: a bound, not an exact count.
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(targets) OR size(targets) <= :room)',
            ExpressionAttributeValues: { ':targets': new Set(targets), ':room': limits.maxTargets - targets.length },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      if (!out?.Attributes) {
        const exists = (await getAll(ctx.db, [{ table: table(), key: operatorConnectionKey(connectionId) }]))[0];
        return { subscribed: false, reason: exists ? 'full' : 'closed' };
      }
      const expiresAt = out.Attributes.expiresAt;
      const watchedUntil = Math.floor(ctx.now().getTime() / 1000) + OPERATOR_CONNECTION_TTL_SECONDS + MARKER_MARGIN_SECONDS;
      const marked = [...targets, ...(targets.some(isLocationTarget) ? [ANY_LOCATION_TARGET] : [])];
      // The subscriptions and their markers in one BatchWriteItem (per 25), written before the ack.
      await putAll(ctx.db, [
        ...targets.map((target) => ({ table: table(), item: { ...liveSubscriptionKey(target, connectionId), type: SUBSCRIPTION_TYPE, connectionId, target, kinds: [...kinds], expiresAt } })),
        ...marked.map((target) => ({ table: table(), item: { ...liveTargetMarkerKey(target), type: MARKER_TYPE, target, expiresAt: watchedUntil } })),
      ]);
      return { subscribed: true };
    },

    /** Removes the named subscriptions, or all the connection holds; answers the targets removed. */
    async unsubscribe(connectionId: string, targets: readonly LiveTarget[]): Promise<LiveTarget[]> {
      const before = await unlessConditionFails(
        ctx.db.send(
          new UpdateCommand({
          TableName: table(),
          Key: operatorConnectionKey(connectionId),
          UpdateExpression: targets.length > 0 ? 'DELETE targets :targets' : 'REMOVE targets',
          ConditionExpression: 'attribute_exists(pk)',
          ...(targets.length > 0 ? { ExpressionAttributeValues: { ':targets': new Set(targets) } } : {}),
          ReturnValues: 'ALL_OLD',
          }),
        ),
      );
      const held = [...((before?.Attributes?.targets as Set<string> | undefined) ?? [])];
      const removed = targets.length > 0 ? held.filter((t) => targets.includes(t)) : held;
      if (removed.length > 0) await deleteAll(ctx.db, subscriptionKeys(connectionId, removed));
      return removed;
    },
  };
};

export type LiveSubscriptionStore = ReturnType<typeof liveSubscriptionStore>;

