/** Charger-initiated messages whose payload and meaning are the same in every OCPP version. */
import type { ActionSpec } from './types.ts';
import { answerDataTransfer, type DataTransferRequest } from './data-transfer.ts';

/** Nothing to store: the message log's entry for this frame is the record that the charger is alive. */
export const heartbeat: ActionSpec<Record<string, never>> = {
  async handle(ctx) {
    return { currentTime: ctx.receivedAt.toISOString() };
  },
};

export const dataTransfer: ActionSpec<DataTransferRequest> = {
  async handle(ctx, p) {
    return answerDataTransfer(ctx, p);
  },
};
