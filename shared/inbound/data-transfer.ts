/**
 * DataTransfer from a charger, any version: always recorded on the charger's timeline, and answered by a
 * vendor handler when one is registered for its vendorId; otherwise UnknownVendorId as OCPP prescribes.
 */
import type { AnyVersionRequest, AnyVersionResponse, InboundContext } from './types.ts';
import { recordTimeline } from '../charger/timeline.ts';

export type DataTransferRequest = AnyVersionRequest<'DataTransfer'>;

/** Valid in every version, so its `data` is a string: 1.6 allows no other (2.x allows any JSON). */
export type DataTransferAnswer = AnyVersionResponse<'DataTransfer'>;

export type VendorDataHandler = (ctx: InboundContext, request: DataTransferRequest) => Promise<DataTransferAnswer>;

/** Vendor extensions register here by vendorId; none ship yet. */
export const vendorDataHandlers: Readonly<Record<string, VendorDataHandler>> = Object.freeze({});

export const answerDataTransfer = async (ctx: InboundContext, request: DataTransferRequest): Promise<DataTransferAnswer> => {
  // Own keys only: a vendorId named after an Object.prototype member ("constructor", "toString") is no vendor of ours.
  const vendor = Object.hasOwn(vendorDataHandlers, request.vendorId) ? vendorDataHandlers[request.vendorId] : undefined;
  const answer: DataTransferAnswer = vendor ? await vendor(ctx, request) : { status: 'UnknownVendorId' };
  await recordTimeline(ctx, {
    chargerId: ctx.chargerId,
    kind: 'DataTransfer',
    at: ctx.receivedAt.toISOString(),
    messageId: ctx.messageId,
    payload: { request, answer },
  });
  return answer;
};
