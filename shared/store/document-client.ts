/** The DynamoDB document client every store module uses; endpoint from the one client-config helper. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientConfig } from './client-config.ts';

export type Db = DynamoDBDocumentClient;

export const makeDocumentClient = (env: NodeJS.ProcessEnv = process.env): Db =>
  DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig('dynamodb', env)), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });

/** A failed condition expression: expected outcome of a race or a retry, not a fault. */
export const isConditionFailed = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** A transaction cancelled because one of its conditions failed (not throttling or a conflict). */
export const isTransactionConditionFailed = (error: unknown): boolean =>
  error instanceof Error &&
  error.name === 'TransactionCanceledException' &&
  'CancellationReasons' in error &&
  Array.isArray(error.CancellationReasons) &&
  error.CancellationReasons.some((r: { Code?: string }) => r.Code === 'ConditionalCheckFailed');
