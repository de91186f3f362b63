/** Charger-initiated messages whose payload and meaning are the same in every OCPP version. */
import type { ActionSpec } from './types.ts';
import { touchCharger } from '../charger/presence.ts';
import { answerDataTransfer, type DataTransferRequest } from './data-transfer.ts';

export const heartbeat: ActionSpec<Record<string, never>> = {
  async handle(ctx) {
    await touchCharger(ctx.store, ctx.chargerId, 'lastHeartbeatAt');
    return { currentTime: ctx.receivedAt.toISOString() };
  },
};

export const dataTransfer: ActionSpec<DataTransferRequest> = {
  async handle(ctx, p) {
    return answerDataTransfer(ctx, p);
  },
};
