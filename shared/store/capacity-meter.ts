/**
 * Counts the DynamoDB capacity every call consumed, as DynamoDB reports it (ReturnConsumedCapacity TOTAL,
 * which includes index writes), and the SQS requests the handlers make. On only when CSMS_CAPACITY_METER=on: the
 * benchmark uses it to measure what each OCPP message and each command costs; production does not pay for the extra
 * response field.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';

export interface CapacityTotals {
  readUnits: number;
  writeUnits: number;
  requests: number;
  /**
   * Sequential round trips: requests that started while no other was in flight. Measured one message at a
   * time, it is how many DynamoDB latencies the message waited for (parallel requests count once). Under one scope
   * (capacityByScope), only that scope's requests count as in flight, so a handler's round trips are its own even
   * while another handler's requests overlap them.
   */
  roundTrips: number;
}

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);
const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);

/** One operation's requests (GetItem, TransactWriteItems, SendMessage, ...) under one scope. */
export interface OperationTotals {
  requests: number;
  readUnits: number;
  writeUnits: number;
  /** Requests that failed, a condition that did not hold among them: DynamoDB bills those writes but reports no units. */
  failed: number;
}

const noTotals = (): CapacityTotals => ({ readUnits: 0, writeUnits: 0, requests: 0, roundTrips: 0 });

/** DynamoDB totals and the requests in flight, of every scope together or of one. */
interface Tally {
  totals: CapacityTotals;
  inFlight: number;
}

const all: Tally = { totals: noTotals(), inFlight: 0 };
/** DynamoDB only, by scope. */
const scopes = new Map<string, Tally>();
/** By scope, then by operation. */
const operations = new Map<string, Map<string, OperationTotals>>();
let scopeOf: () => string = () => '';

/**
 * Names who makes each request from now on (the benchmark: the handler whose invocation is in progress), read when
 * the request starts; '' for requests made outside any scope.
 */
export const scopeRequests = (scope: () => string): void => {
  scopeOf = scope;
};

/** Per scope, per operation (the command name without `Command`), since the process started (or the last reset). */
export const operationsSnapshot = (): Record<string, Record<string, OperationTotals>> =>
  Object.fromEntries([...operations].map(([scope, ops]) => [scope, Object.fromEntries([...ops].map(([op, t]) => [op, { ...t }]))]));

const tally = (scope: string, command: string): OperationTotals => {
  let ops = operations.get(scope);
  if (!ops) operations.set(scope, (ops = new Map()));
  const name = command.replace(/Command$/, '');
  let operation = ops.get(name);
  if (!operation) ops.set(name, (operation = { requests: 0, readUnits: 0, writeUnits: 0, failed: 0 }));
  return operation;
};

const scopeTally = (scope: string): Tally => {
  let tally = scopes.get(scope);
  if (!tally) scopes.set(scope, (tally = { totals: noTotals(), inFlight: 0 }));
  return tally;
};

/** A copy of the totals since the process started (or the last reset). */
export const capacitySnapshot = (): CapacityTotals => ({ ...all.totals });

/** The DynamoDB totals per scope, round trips counted within each scope, since the process started (or the last reset). */
export const capacityByScope = (): Record<string, CapacityTotals> =>
  Object.fromEntries([...scopes].map(([scope, tally]) => [scope, { ...tally.totals }]));

export const resetCapacity = (): void => {
  all.totals = noTotals();
  // Scopes with requests in flight keep their count, so a request finishing after the reset cannot drive it negative.
  for (const [scope, tally] of scopes) {
    if (tally.inFlight === 0) scopes.delete(scope);
    else tally.totals = noTotals();
  }
  operations.clear();
};

type Consumed = { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;

const unitsOf = (consumed: Consumed): number =>
  [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);

export const meterCapacity = (client: DynamoDBClient): void => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      const metered = READS.has(command) || WRITES.has(command);
      if (!metered) return next(args);
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity ??= 'TOTAL';
      const scope = scopeOf();
      const operation = tally(scope, command);
      const counted = [all, scopeTally(scope)];
      for (const t of counted) if (t.inFlight++ === 0) t.totals.roundTrips += 1;
      let result;
      try {
        result = await next(args);
      } catch (error) {
        operation.failed += 1;
        throw error;
      } finally {
        // A request that failed (a condition that did not hold) was still made; its units are not reported.
        for (const t of counted) {
          t.inFlight -= 1;
          t.totals.requests += 1;
        }
        operation.requests += 1;
      }
      const units = unitsOf((result.output as { ConsumedCapacity?: Consumed }).ConsumedCapacity);
      const field = READS.has(command) ? 'readUnits' : 'writeUnits';
      for (const t of counted) t.totals[field] += units;
      operation[field] += units;
      return result;
    },
    { step: 'initialize', name: 'csmsCapacityMeter' },
  );
};

/** Counts every request of an SQS client by scope and operation (no units: SQS bills requests). */
export const meterRequests = (client: SQSClient): void => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = tally(scopeOf(), context.commandName ?? 'Unknown');
      try {
        return await next(args);
      } catch (error) {
        operation.failed += 1;
        throw error;
      } finally {
        operation.requests += 1;
      }
    },
    { step: 'initialize', name: 'csmsRequestMeter' },
  );
};
