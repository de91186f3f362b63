/**
 * vitest globalSetup: one in-memory DynamoDB Local for the whole run, shared by every test file (each file makes
 * its own prefixed tables, see ./dynamo.ts). Its endpoint reaches test files through `inject('dynamodbEndpoint')`
 * and env TEST_DYNAMODB_ENDPOINT. Teardown stops the Java process and waits until it is gone.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../bin/local/dynamo-local.ts';
import './provided-context.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamo = await startDynamoLocal();
  console.info(`[test] DynamoDB Local (in memory) answered on ${dynamo.endpoint} after ${dynamo.startupMs} ms`);
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  process.env.TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
  return async () => {
    await dynamo.stop();
  };
}
