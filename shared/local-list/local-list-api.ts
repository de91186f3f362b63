/** A charger's local authorization list as operators read it (`GET /chargers/{chargerId}/local-list`). */
import * as z from 'zod';
import { failure, success, type Outcome } from '../api/outcome.ts';
import type { Ports } from '../deps.ts';

const LocalListEntryViewSchema = z.object({
  idToken: z.string(),
  /** 2.x only. */
  idTokenType: z.string().optional(),
  /** 1.6 idTagInfo or 2.x idTokenInfo, as sent. */
  info: z.record(z.string(), z.unknown()),
  listVersion: z.number().int(),
  commandId: z.string(),
  updatedAt: z.string(),
});

export const LocalListViewSchema = z.object({
  chargerId: z.string(),
  /** The version the charger holds, as far as we know (absent: no command told us yet). */
  version: z.number().int().optional(),
  versionFrom: z.enum(['SendLocalList', 'GetLocalListVersion']).optional(),
  versionAt: z.string().optional(),
  /** The command whose answer told the version. */
  commandId: z.string().optional(),
  /** The version `entries` are of: when it differs from `version`, the charger's list changed since we wrote them. */
  entriesVersion: z.number().int().optional(),
  entriesAt: z.string().optional(),
  updateType: z.enum(['Full', 'Differential']).optional(),
  /** The charger refused an update with VersionMismatch: the next sync sends a Full one. */
  fullUpdateDue: z.object({ because: z.literal('VersionMismatch'), commandId: z.string(), at: z.string() }).optional(),
  /** The last `POST /chargers/{id}/local-list:sync` that sent something: the highest version and its commands. */
  lastSync: z
    .object({
      sentVersion: z.number().int(),
      updateType: z.enum(['Full', 'Differential']),
      commandIds: z.array(z.string()),
      sentAt: z.string(),
      sentBy: z.string(),
    })
    .optional(),
  entries: z.array(LocalListEntryViewSchema),
});
export type LocalListView = z.output<typeof LocalListViewSchema>;

export const getLocalList = async (deps: Ports, chargerId: string): Promise<Outcome<LocalListView>> => {
  const profile = await deps.stores.chargers.get(chargerId);
  if (!profile) return failure('not-found', `No charger ${chargerId}`);
  const { version, fullUpdateDue, lastSync, entries } = await deps.stores.localLists.read(profile.chargerId);
  return success({
    ...version,
    chargerId: profile.chargerId,
    ...(fullUpdateDue ? { fullUpdateDue } : {}),
    ...(lastSync ? { lastSync } : {}),
    entries: entries.map(({ chargerId: _charger, ...entry }) => entry),
  });
};
