/**
 * A command effect's `prepare` that cannot make the payload (e.g. UpdateFirmware for an image not uploaded yet) throws
 * this; submitCommandTo answers its failure, and nothing is recorded or queued. A stopgap while `prepare` answers a
 * payload rather than an Outcome.
 */
import type { Failure } from '../api/outcome.ts';

export class PrepareRefused extends Error {
  override name = 'PrepareRefused';
  constructor(readonly failure: Failure) {
    super(failure.detail);
  }
}
