/**
 * Which command started a transaction, and which asked it to stop: a remote start the charger accepted is kept, and
 * the transaction it starts links it (`startedByCommand`); an accepted remote stop is linked at once
 * (`stopRequestedByCommand`).
 *
 * 2.x: RequestStartTransaction carries a `remoteStartId` (allocated here when the operator leaves it out) that the
 * charger echoes in the transaction's TransactionEvent (`transactionInfo.remoteStartId`); the accepted command is kept
 * under that id for a day, and the event that carries the id links it. An answer naming the `transactionId` (the
 * transaction had begun, e.g. the cable was plugged in first) links at once.
 * 1.6: RemoteStartTransaction has no such id. The accepted command is kept as a pending start under its idTag; the
 * next StartTransaction with that idTag, on the command's connector (any connector when it named none), within
 * `PENDING_START_MINUTES` of the answer, links it, and the pending start is used up. A second remote start with the
 * same idTag replaces the first while it is pending.
 *
 * The link is made when the start arrives after the answer was handled: a transaction message that overtakes it
 * (the charger sends both within milliseconds, and they run in two Lambdas) carries nothing to link yet; a later
 * event of the transaction that carries the 2.x id still links it.
 */
import type { Ports } from '../deps.ts';
import type { Ocpp16CsmsActions } from '../ocpp/generated/ocpp16.types.ts';
import type { Ocpp201CsmsActions } from '../ocpp/generated/ocpp201.types.ts';
import { isAccepted } from '../command/answer.ts';
import type { AnsweredCommand, CommandEffect } from '../command/effects.ts';
import { withRequestId } from '../command/request-id.ts';
import type { CommandLink } from '../store/transaction-store.ts';
import type { TransactionRecord } from './transaction.ts';

/** 2.x: an accepted RequestStartTransaction, by its remoteStartId. */
export interface RemoteStart {
  chargerId: string;
  remoteStartId: number;
  commandId: string;
  acceptedAt: string;
}

/** 1.6: an accepted RemoteStartTransaction waiting for its StartTransaction. */
export interface PendingStart {
  chargerId: string;
  idTag: string;
  /** Absent: the charger chooses the connector. */
  connectorId?: number;
  commandId: string;
  acceptedAt: string;
}

/** How long after its answer a 1.6 remote start may still link a StartTransaction (the driver plugs in meanwhile). */
export const PENDING_START_MINUTES = 5;
/** How long a 2.x remote start may link its transaction's events (it is kept as long, then expires). */
export const REMOTE_START_HOURS = 24;

/** Times of two hosts (the answer's Lambda, API Gateway's receipt of the start) may disagree by this much. */
const CLOCK_SKEW_MS = 60_000;

const within = (since: string, until: string, ms: number): boolean => {
  const elapsed = Date.parse(until) - Date.parse(since);
  return elapsed >= -CLOCK_SKEW_MS && elapsed <= ms;
};

/** The command a 2.x TransactionEvent received `at` links, from the remote start its remoteStartId found. */
export const remoteStartCommand = (found: RemoteStart | undefined, at: string): string | undefined =>
  found && within(found.acceptedAt, at, REMOTE_START_HOURS * 3_600_000) ? found.commandId : undefined;

/** The command a 1.6 StartTransaction on `connectorId` received `at` links, from the pending start its idTag found. */
export const pendingStartCommand = (found: PendingStart | undefined, connectorId: number, at: string): string | undefined =>
  found && (found.connectorId === undefined || found.connectorId === connectorId) && within(found.acceptedAt, at, PENDING_START_MINUTES * 60_000)
    ? found.commandId
    : undefined;

/** The record naming the command that started it, unless it names one already (the same record when nothing changes). */
export const startedBy = (tx: TransactionRecord, commandId: string | undefined): TransactionRecord =>
  commandId === undefined || tx.startedByCommand !== undefined ? tx : { ...tx, startedByCommand: commandId };

type RemoteStart16 = Ocpp16CsmsActions['RemoteStartTransaction']['request'];
type RequestStart2 = Ocpp201CsmsActions['RequestStartTransaction']['request'];

/** The transaction a remote stop names: 1.6 an integer (our own id, as a string in the record), 2.x the charger's. */
const stoppedTransactionOf = (payload: unknown): string => String((payload as { transactionId: number | string }).transactionId);

const link = async (deps: Ports, { command }: AnsweredCommand, transactionId: string, field: CommandLink): Promise<void> => {
  const linked = await deps.stores.transactions.linkCommand(command.chargerId, transactionId, field, command.commandId);
  if (linked !== 'linked') deps.log.info(`${command.action} not linked to its transaction`, { chargerId: command.chargerId, transactionId, commandId: command.commandId, linked });
};

const remoteStarted16 = async (deps: Ports, answered: AnsweredCommand): Promise<void> => {
  if (!isAccepted(answered.result)) return;
  const { command } = answered;
  const p = command.payload as RemoteStart16;
  await deps.stores.remoteStarts.rememberPending({
    chargerId: command.chargerId,
    idTag: p.idTag,
    ...(p.connectorId !== undefined ? { connectorId: p.connectorId } : {}),
    commandId: command.commandId,
    acceptedAt: deps.now().toISOString(),
  });
};

const remoteStarted2 = async (deps: Ports, answered: AnsweredCommand): Promise<void> => {
  if (!isAccepted(answered.result)) return;
  const { command, result } = answered;
  const { remoteStartId } = command.payload as RequestStart2;
  const { transactionId } = result as Ocpp201CsmsActions['RequestStartTransaction']['response'];
  await Promise.all([
    deps.stores.remoteStarts.remember({ chargerId: command.chargerId, remoteStartId, commandId: command.commandId, acceptedAt: deps.now().toISOString() }),
    transactionId !== undefined ? link(deps, answered, transactionId, 'startedByCommand') : undefined,
  ]);
};

const stopRequested = async (deps: Ports, answered: AnsweredCommand): Promise<void> => {
  if (!isAccepted(answered.result)) return;
  await link(deps, answered, stoppedTransactionOf(answered.command.payload), 'stopRequestedByCommand');
};

export const remoteStartEffects: Readonly<Record<string, CommandEffect>> = {
  RemoteStartTransaction: { answered: remoteStarted16 },
  RequestStartTransaction: {
    prepare: async (_deps, { protocol, payload }) => withRequestId(protocol, 'RequestStartTransaction', payload),
    answered: remoteStarted2,
  },
  RemoteStopTransaction: { answered: stopRequested },
  RequestStopTransaction: { answered: stopRequested },
};
