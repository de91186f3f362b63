/** Charger-initiated messages whose payload and meaning are the same in every OCPP version. */
import type { AnyVersionActionSpec } from './types.ts';
import { answerDataTransfer } from './data-transfer.ts';

/** Nothing to store: the message log's entry for this frame is the record that the charger is alive. */
export const heartbeat: AnyVersionActionSpec<'Heartbeat'> = {
  async handle(ctx) {
    return { currentTime: ctx.receivedAt.toISOString() };
  },
};

export const dataTransfer: AnyVersionActionSpec<'DataTransfer'> = {
  async handle(ctx, p) {
    return answerDataTransfer(ctx, p);
  },
};
