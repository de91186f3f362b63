/** DynamoDB Local's own ceiling on this machine: how many small conditional-free updates per second it serves. */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '#shared/store/dynamo.ts';

export const measureDynamoCeiling = async (db: Db, table: string, durationMs: number, parallel = 16): Promise<number> => {
  let ops = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async (w: number) => {
    for (let i = 0; performance.now() < deadline; i++) {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: `BENCH#${w}#${i % 50}`, sk: 'CEILING' },
          UpdateExpression: 'SET seenAt = :t',
          ExpressionAttributeValues: { ':t': Date.now() },
        }),
      );
      ops += 1;
    }
  };
  await Promise.all(Array.from({ length: parallel }, (_, w) => worker(w)));
  return Math.round(ops / ((performance.now() - started) / 1000));
};
