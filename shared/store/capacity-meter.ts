/**
 * Counts the DynamoDB capacity every call consumed, as DynamoDB reports it (ReturnConsumedCapacity TOTAL,
 * which includes index writes). On only when CSMS_CAPACITY_METER=on: the benchmark uses it to measure what
 * each OCPP message costs; production does not pay for the extra response field.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

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

const totals: CapacityTotals = { readUnits: 0, writeUnits: 0, requests: 0, roundTrips: 0 };
let inFlight = 0;

/** A copy of the totals since the process started (or the last reset). */
export const capacitySnapshot = (): CapacityTotals => ({ ...totals });

export const resetCapacity = (): void => {
  totals.readUnits = 0;
  totals.writeUnits = 0;
  totals.requests = 0;
  totals.roundTrips = 0;
};

type Consumed = { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;

const unitsOf = (consumed: Consumed): number =>
  [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);

export const meterCapacity = (client: DynamoDBClient): void => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      const metered = READS.has(command) || WRITES.has(command);
      if (metered) (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity ??= 'TOTAL';
      if (metered && inFlight++ === 0) totals.roundTrips += 1;
      let result;
      try {
        result = await next(args);
      } finally {
        if (metered) {
          inFlight -= 1;
          // A request that failed (a condition that did not hold) was still made; its units are not reported.
          totals.requests += 1;
        }
      }
      if (metered) {
        const units = unitsOf((result.output as { ConsumedCapacity?: Consumed }).ConsumedCapacity);
        if (READS.has(command)) totals.readUnits += units;
        else totals.writeUnits += units;
      }
      return result;
    },
    { step: 'initialize', name: 'csmsCapacityMeter' },
  );
};
