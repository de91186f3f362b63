/**
 * Builds the domain's dependencies on DynamoDB. Hosts (Lambda handlers, the CLI, tests, the benchmark) go
 * through `makeDeps` in functions/_common/deps.ts, which reads the environment and calls this.
 */
import type { Deps } from '../deps.ts';
import type { Log } from '../log/logger.ts';
import { createWriteBatch, immediatePuts, type TableNames } from './context.ts';
import type { Db } from './dynamo.ts';
import type { Retention } from './retention.ts';
import { makeStores } from './stores.ts';

export interface StorageSettings {
  readonly db: Db;
  readonly tables: TableNames;
  readonly retention: Retention;
  readonly now: () => Date;
  readonly log: Log;
}

export const makeDomainDeps = ({ log, ...storage }: StorageSettings): Deps => ({
  stores: makeStores({ ...storage, puts: immediatePuts(storage.db) }),
  unitOfWork: () => {
    const batch = createWriteBatch(storage.db);
    return { stores: makeStores({ ...storage, puts: batch }), alongside: batch.alongside, commit: batch.commit };
  },
  now: storage.now,
  log,
});
