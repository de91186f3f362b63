/**
 * Live connection state of a charger. Exactly one connection counts per charger: the newest by
 * API Gateway's connectedAt wins, the replaced one is closed, and a late $disconnect of an old
 * connection cannot mark a newer one offline (every write is conditioned on the connection id).
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreDeps } from '../deps.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import { chargerKey, connectionKey, epochSeconds, withoutKeys } from '../store/keys.ts';
import { isConditionFailed } from '../store/document-client.ts';

const PRESENCE_SK = 'PRESENCE';
const presenceKey = (chargerId: string) => ({ pk: chargerKey(chargerId).pk, sk: PRESENCE_SK });

/** API Gateway closes a WebSocket after 2 hours; the connection item outlives that a little, then TTL removes it. */
const CONNECTION_ITEM_LIFETIME_MS = (2 * 60 + 15) * 60 * 1000;

export interface Presence {
  chargerId: string;
  connected: boolean;
  connectionId?: string;
  protocol?: OcppProtocol;
  connectedAt?: number;
  disconnectedAt?: string;
  /** When the connection was opened; the message log knows the latest frame (`lastSeen`). */
  lastSeenAt?: string;
  sourceIp?: string;
  /** Latest firmware / diagnostics / log upload status (see timeline.ts). */
  firmwareStatus?: string;
  diagnosticsStatus?: string;
  logStatus?: string;
}

export interface ConnectionRecord {
  connectionId: string;
  chargerId: string;
  protocol: OcppProtocol;
  connectedAt: number;
}

export interface AttachInput extends ConnectionRecord {
  sourceIp?: string;
}

export type AttachResult =
  | { attached: true; replacedConnectionId?: string }
  /** A newer connection of the same charger is already registered: this one is stale and must be refused. */
  | { attached: false };

export const attachConnection = async (deps: StoreDeps, input: AttachInput): Promise<AttachResult> => {
  const now = deps.now();
  await deps.db.send(
    new PutCommand({
      TableName: deps.tables.csms,
      Item: {
        ...connectionKey(input.connectionId),
        type: 'Connection',
        connectionId: input.connectionId,
        chargerId: input.chargerId,
        protocol: input.protocol,
        connectedAt: input.connectedAt,
        expiresAt: epochSeconds(new Date(input.connectedAt + CONNECTION_ITEM_LIFETIME_MS)),
      },
    }),
  );
  try {
    const out = await deps.db.send(
      new UpdateCommand({
        TableName: deps.tables.csms,
        Key: presenceKey(input.chargerId),
        UpdateExpression:
          'SET #type = :type, chargerId = :charger, connected = :true, connectionId = :conn, protocol = :protocol, ' +
          'connectedAt = :at, lastSeenAt = :seen, sourceIp = :ip REMOVE disconnectedAt',
        // Last writer by connection time wins; equal times are the same connection retried.
        ConditionExpression: 'attribute_not_exists(connectedAt) OR connectedAt <= :at',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': 'Presence',
          ':charger': input.chargerId,
          ':true': true,
          ':conn': input.connectionId,
          ':protocol': input.protocol,
          ':at': input.connectedAt,
          ':seen': now.toISOString(),
          ':ip': input.sourceIp ?? 'unknown',
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const previous = out.Attributes as Presence | undefined;
    const replaced = previous?.connected && previous.connectionId !== input.connectionId ? previous.connectionId : undefined;
    return replaced ? { attached: true, replacedConnectionId: replaced } : { attached: true };
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    await forgetConnection(deps, input.connectionId);
    return { attached: false };
  }
};

/** Marks the charger offline, unless a newer connection has taken over in the meantime. */
export const detachConnection = async (deps: StoreDeps, chargerId: string, connectionId: string): Promise<boolean> => {
  await forgetConnection(deps, connectionId);
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tables.csms,
        Key: presenceKey(chargerId),
        UpdateExpression: 'SET connected = :false, disconnectedAt = :now REMOVE connectionId',
        ConditionExpression: 'connectionId = :conn',
        ExpressionAttributeValues: { ':false': false, ':now': deps.now().toISOString(), ':conn': connectionId },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
};

export const forgetConnection = async (deps: StoreDeps, connectionId: string): Promise<void> => {
  await deps.db.send(new DeleteCommand({ TableName: deps.tables.csms, Key: connectionKey(connectionId) }));
};


export const getPresence = async (deps: StoreDeps, chargerId: string): Promise<Presence | undefined> => {
  const out = await deps.db.send(new GetCommand({ TableName: deps.tables.csms, Key: presenceKey(chargerId) }));
  return out.Item && withoutKeys<Presence>(out.Item);
};

/** The charger behind a live connection id (fallback when the authorizer context is not on the event). */
export const getConnection = async (deps: StoreDeps, connectionId: string): Promise<ConnectionRecord | undefined> => {
  const out = await deps.db.send(new GetCommand({ TableName: deps.tables.csms, Key: connectionKey(connectionId) }));
  return out.Item as ConnectionRecord | undefined;
};
