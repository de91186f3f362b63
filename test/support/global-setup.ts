/**
 * vitest globalSetup: one in-memory DynamoDB Local for the whole run, shared by every test file (each file makes
 * its own prefixed tables, see ./dynamo.ts). Its endpoint reaches test files through `inject('dynamodbEndpoint')`
 * and env TEST_DYNAMODB_ENDPOINT. Local runtimes started by tests register in a temporary LOCAL_RUNTIMES_DIR.
 * Teardown stops the Java process and waits until it is gone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../bin/local/dynamo-local.ts';
import './provided-context.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamo = await startDynamoLocal();
  console.info(`[test] DynamoDB Local (in memory) answered on ${dynamo.endpoint} after ${dynamo.startupMs} ms`);
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  process.env.TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
  // Runtimes started by tests announce themselves here, not beside a developer's own `npm start`.
  const runtimes = mkdtempSync(join(tmpdir(), 'ov2x-runtimes-'));
  process.env.LOCAL_RUNTIMES_DIR = runtimes;
  return async () => {
    await dynamo.stop();
    rmSync(runtimes, { recursive: true, force: true });
  };
}
