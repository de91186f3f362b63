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
   * time, it is how many DynamoDB latencies the message waited for (parallel requests count once).
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

const totals: CapacityTotals = { readUnits: 0, writeUnits: 0, requests: 0, roundTrips: 0 };
let inFlight = 0;
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

/** A copy of the totals since the process started (or the last reset). */
export const capacitySnapshot = (): CapacityTotals => ({ ...totals });

export const resetCapacity = (): void => {
  totals.readUnits = 0;
  totals.writeUnits = 0;
  totals.requests = 0;
  totals.roundTrips = 0;
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
      const operation = tally(scopeOf(), command);
      if (inFlight++ === 0) totals.roundTrips += 1;
      let result;
      try {
        result = await next(args);
      } catch (error) {
        operation.failed += 1;
        throw error;
      } finally {
        inFlight -= 1;
        // A request that failed (a condition that did not hold) was still made; its units are not reported.
        totals.requests += 1;
        operation.requests += 1;
      }
      const units = unitsOf((result.output as { ConsumedCapacity?: Consumed }).ConsumedCapacity);
      if (READS.has(command)) {
        totals.readUnits += units;
        operation.readUnits += units;
      } else {
        totals.writeUnits += units;
        operation.writeUnits += units;
      }
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
