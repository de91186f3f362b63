/**
 * A command effect's `prepare` that cannot make the payload (e.g. UpdateFirmware for an image not uploaded yet) throws
 * this; submitCommandTo answers its failure, and nothing is recorded or queued. A stopgap while `prepare` answers a
 * payload rather than an Outcome.
 */
import type { Failure, Outcome } from '../api/outcome.ts';

export class PrepareRefused extends Error {
  override name = 'PrepareRefused';
  constructor(readonly failure: Failure) {
    super(failure.detail);
  }
}

/**
 * Adapts a prepare that answers an Outcome to today's contract (a payload, or PrepareRefused, which submitCommandTo
 * turns back into its failure). Where prepare answers an Outcome, this adapter goes.
 */
export const refusedOrPayload = async (outcome: Promise<Outcome<unknown>>): Promise<unknown> => {
  const out = await outcome;
  if (!out.ok) throw new PrepareRefused(out);
  return out.value;
};
