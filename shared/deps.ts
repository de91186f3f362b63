/** What the domain needs from the outside world, passed in rather than imported, so tests choose it. */
import type { Db } from './store/document-client.ts';
import type { Log } from './log/logger.ts';

export interface TableNames {
  readonly csms: string;
  readonly messageLog: string;
}

export interface StoreDeps {
  readonly db: Db;
  readonly tables: TableNames;
  readonly now: () => Date;
  readonly log: Log;
}
