/**
 * The OCPP message log: every frame in and out, per charger, by time, expired by DynamoDB TTL.
 * Secrets a frame may carry (charger passwords set by ChangeConfiguration / SetVariables, network
 * profile credentials) are masked before the frame is stored.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mapPage, queryPage, type Page, type PageOptions } from '../store/queries.ts';
import type { StoreDeps } from '../deps.ts';
import { epochSeconds, withoutKeys } from '../store/keys.ts';

export type FrameDirection = 'in' | 'out';

export interface FrameLogEntry {
  chargerId: string;
  connectionId: string;
  direction: FrameDirection;
  raw: string;
  at: Date;
}

export interface StoredFrame {
  chargerId: string;
  at: string;
  direction: FrameDirection;
  connectionId: string;
  frame: string;
  messageType?: number;
  messageId?: string;
  action?: string;
}

const MASK = '***';
/** Property names that hold a secret wherever they appear. */
const SECRET_PROPERTY = /password|secret|authorizationkey/i;
/** Configuration keys / device-model variables whose value is a secret (1.6 key-value, 2.x variable). */
const SECRET_SETTING = /^(AuthorizationKey|BasicAuthPassword)$/i;

const settingName = (node: Record<string, unknown>): string | undefined => {
  if (typeof node.key === 'string') return node.key;
  const variable = node.variable as { name?: unknown } | undefined;
  return typeof variable?.name === 'string' ? variable.name : undefined;
};

const redactNode = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(redactNode);
  if (node === null || typeof node !== 'object') return node;
  const obj = node as Record<string, unknown>;
  const secretSetting = SECRET_SETTING.test(settingName(obj) ?? '');
  return Object.fromEntries(
    Object.entries(obj).map(([k, v]) => {
      if (secretSetting && (k === 'value' || k === 'attributeValue')) return [k, MASK];
      if (SECRET_PROPERTY.test(k) && typeof v !== 'object') return [k, MASK];
      // 2.x SetNetworkProfile: vpn.key is the VPN's shared secret (elsewhere `key` names a 1.6 setting).
      if (k === 'vpn' && v && typeof v === 'object') return [k, { ...(redactNode(v) as object), key: MASK }];
      return [k, redactNode(v)];
    }),
  );
};

/** Masks secrets in a raw frame; text that is not JSON is stored as received (it carries no structure to mask). */
export const redactFrame = (raw: string): { frame: string; parsed?: unknown[] } => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { frame: raw };
  }
  if (!Array.isArray(parsed)) return { frame: raw };
  const redacted = redactNode(parsed) as unknown[];
  return { frame: JSON.stringify(redacted), parsed: redacted };
};

const describe = (parsed: unknown[] | undefined) => {
  if (!parsed) return {};
  const [type, messageId, action] = parsed;
  return {
    ...(typeof type === 'number' ? { messageType: type } : {}),
    ...(typeof messageId === 'string' ? { messageId } : {}),
    ...((type === 2 || type === 6) && typeof action === 'string' ? { action } : {}),
  };
};

export const logFrame = async (deps: StoreDeps, retentionDays: number, entry: FrameLogEntry): Promise<void> => {
  const { frame, parsed } = redactFrame(entry.raw);
  const at = entry.at.toISOString();
  await deps.db.send(
    new PutCommand({
      TableName: deps.tables.messageLog,
      Item: {
        pk: entry.chargerId,
        // The random tail keeps two frames of the same millisecond apart.
        sk: `${at}#${entry.direction}#${randomUUID().slice(0, 8)}`,
        chargerId: entry.chargerId,
        at,
        direction: entry.direction,
        connectionId: entry.connectionId,
        frame,
        ...describe(parsed),
        expiresAt: epochSeconds(entry.at) + retentionDays * 86_400,
      },
    }),
  );
};

export const listFrames = async (deps: StoreDeps, chargerId: string, options: PageOptions = {}): Promise<Page<StoredFrame>> =>
  mapPage(await queryPage(deps, { table: 'messageLog', pk: chargerId }, options), (i) => withoutKeys<StoredFrame>(i));
