/** The DynamoDB document client every store module uses; endpoint from the one client-config helper. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientConfig } from './client-config.ts';
import { meterCapacity } from './capacity-meter.ts';

export type Db = DynamoDBDocumentClient;

export const makeDocumentClient = (env: NodeJS.ProcessEnv = process.env): Db => {
  const client = new DynamoDBClient(awsClientConfig('dynamodb', env));
  if (env.CSMS_CAPACITY_METER === 'on') meterCapacity(client);
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
};

/** A failed condition expression: expected outcome of a race or a retry, not a fault. */
export const isConditionFailed = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** The per-item reasons of a cancelled DynamoDB transaction ('None' for items that were fine). */
export const cancellationCodes = (error: unknown): string[] =>
  error instanceof Error && 'CancellationReasons' in error && Array.isArray(error.CancellationReasons)
    ? error.CancellationReasons.map((r: { Code?: string }) => r.Code ?? 'None')
    : [];

