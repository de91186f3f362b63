/**
 * What SendLocalList and GetLocalListVersion answers leave behind (local-list.ts): an accepted SendLocalList writes
 * its entries, then the version; a GetLocalListVersion answer updates the known version only. Refused updates
 * (Failed, NotSupported, VersionMismatch) change neither entries nor version: the command record keeps the answer.
 * A VersionMismatch also marks a full update due (the charger's list is not the one we sent against), which an
 * accepted Full update clears.
 */
import type { Ports } from '../deps.ts';
import { isAccepted, statusOf } from '../command/answer.ts';
import type { AnsweredCommand, CommandEffect } from '../command/effects.ts';
import { answeredListVersion, localListUpdateOf, type LocalListEntry } from './local-list.ts';

const listSent = async (deps: Ports, { command, result }: AnsweredCommand): Promise<void> => {
  const { chargerId, commandId } = command;
  if (statusOf(result) === 'VersionMismatch') {
    await deps.stores.localLists.markFullUpdateDue(chargerId, { because: 'VersionMismatch', commandId, at: deps.now().toISOString() });
    return;
  }
  if (!isAccepted(result)) return;
  const update = localListUpdateOf(command.protocol, command.payload);
  const at = deps.now().toISOString();
  const entries: LocalListEntry[] = update.upserts.map((e) => ({ chargerId, ...e, listVersion: update.version, commandId, updatedAt: at }));
  const lists = deps.stores.localLists;
  await (update.updateType === 'Full' ? lists.replaceEntries(chargerId, entries) : lists.changeEntries(chargerId, entries, update.removals));
  await lists.setVersion({
    chargerId,
    version: update.version,
    versionFrom: 'SendLocalList',
    versionAt: at,
    commandId,
    entriesVersion: update.version,
    entriesAt: at,
    updateType: update.updateType,
  }, { fullUpdateDone: update.updateType === 'Full' });
};

const versionTold = async (deps: Ports, { command, result }: AnsweredCommand): Promise<void> => {
  const version = answeredListVersion(command.protocol, result);
  if (version === undefined) return;
  await deps.stores.localLists.setVersion({
    chargerId: command.chargerId,
    version,
    versionFrom: 'GetLocalListVersion',
    versionAt: deps.now().toISOString(),
    commandId: command.commandId,
  });
};

export const localListEffects: Readonly<Record<string, CommandEffect>> = {
  SendLocalList: { answered: listSent },
  GetLocalListVersion: { answered: versionTold },
};
