/**
 * Ownership of a persistent DynamoDB Local data directory. Two DynamoDB Locals on one -dbPath would share one
 * SQLite file behind each other's back, so whoever starts one (`npm start` or a CLI command) records itself here.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, terminateProcessGroup } from './os.ts';

export interface DbOwner {
  /** The Node process that started DynamoDB Local on this path. */
  readonly pid: number;
  /** The Java process, so a later start can reap it if its owner died without stopping it. */
  readonly javaPid?: number;
  readonly endpoint?: string;
}

export interface DbClaim {
  record(owner: Omit<DbOwner, 'pid'>): void;
  release(): void;
}

export class DbPathBusyError extends Error {
  override readonly name = 'DbPathBusyError';
  constructor(
    readonly dbPath: string,
    readonly owner: DbOwner,
  ) {
    super(
      `DynamoDB Local data in ${dbPath} is in use by process ${owner.pid} (npm start or npm run cli). ` +
        'Stop that process first, or use its endpoint.',
    );
  }
}

const ownerFile = (dbPath: string) => join(dbPath, 'owner.json');

export const readDbOwner = (dbPath: string): DbOwner | undefined => {
  try {
    return JSON.parse(readFileSync(ownerFile(dbPath), 'utf8')) as DbOwner;
  } catch {
    return undefined;
  }
};

const isDynamoLocalProcess = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal');
  } catch {
    return false; // Not Linux, or gone: never kill what we cannot identify.
  }
};

/** A previous owner died (e.g. SIGKILL) and left its Java child running on the data: stop it before reuse. */
const reapOrphan = async (owner: DbOwner | undefined): Promise<void> => {
  if (owner?.javaPid && isAlive(owner.javaPid) && isDynamoLocalProcess(owner.javaPid)) {
    await terminateProcessGroup(owner.javaPid);
  }
};

/** Claims `dbPath` for this process, or throws DbPathBusyError naming the live owner. */
export const claimDbPath = async (dbPath: string): Promise<DbClaim> => {
  const file = ownerFile(dbPath);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid }), { flag: 'wx' });
      return {
        record: (owner) => writeFileSync(file, JSON.stringify({ ...owner, pid: process.pid })),
        release: () => rmSync(file, { force: true }),
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = readDbOwner(dbPath);
    if (owner && isAlive(owner.pid)) throw new DbPathBusyError(dbPath, owner);
    await reapOrphan(owner);
    rmSync(file, { force: true });
  }
  throw new Error(`Could not claim ${dbPath}: its owner file keeps reappearing.`);
};
