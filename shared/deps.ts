/** What the domain needs from the outside world, passed in rather than imported, so tests and hosts choose it. */
import type { PasswordKeys } from './charger/credentials.ts';
import type { FileAccess } from './file/objects.ts';
import type { Log } from './log/logger.ts';
import type { MetricsPort } from './metrics/catalog.ts';
import type { Stores } from './store/stores.ts';

/**
 * The writes of one charger message: its stores collect plain puts, which `commit` writes in one request
 * together with whatever the message added (its message-log entry); `alongside` work (a conditional update the
 * answer does not depend on) runs meanwhile and `commit` waits for it.
 */
export interface UnitOfWork {
  readonly stores: Stores;
  alongside(work: Promise<unknown>): void;
  commit(): Promise<void>;
}

/** What a domain operation works with: the stores, the clock and the log. */
export interface Ports {
  readonly stores: Stores;
  readonly now: () => Date;
  readonly log: Log;
  /** The files bucket and endpoints, where the host's route may use them (commands that ask for files, uploads). */
  readonly files?: FileAccess;
  /** Counts and timings (shared/metrics/catalog.ts); absent where the host emits none (tests, the CLI). */
  readonly metrics?: MetricsPort;
}

/**
 * The pepper of generated charger passwords rides along where the host has read it (secret `passwordPepper`: the
 * $connect functions and the CLI); operations that hash or check such a password fail without it, by name.
 */
export interface Deps extends Ports, Partial<PasswordKeys> {
  /** Stores that write at once (operator commands, connection lifecycle). */
  readonly stores: Stores;
  /** A fresh unit of work for one charger message. */
  readonly unitOfWork: () => UnitOfWork;
}
