/**
 * The invocation's side of X-Ray (the functions run with active tracing: lib/route-function.ts; the SDK calls are
 * traced where the clients are made: shared/store/tracing.ts). Each invocation gets a handler subsegment annotated
 * with ColdStart and the service. Responses are not recorded (they carry charger frames, tokens and user records);
 * errors are.
 */
import type middy from '@middy/core';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { tracer } from '#shared/store/tracing.ts';

/** The handler subsegment of each invocation, without its response. */
export const traceInvocation = (): middy.MiddlewareObj => captureLambdaHandler(tracer, { captureResponse: false });

/**
 * Indexes the invocation's trace by charger (X-Ray filter `annotation.chargerId = "CP-1"`). The id is the one the
 * authorizer admitted, never one read from a frame.
 */
export const annotateCharger = <Event>(chargerOf: (event: Event) => string | undefined): middy.MiddlewareObj<Event> => ({
  before: (request) => {
    const chargerId = chargerOf(request.event);
    if (chargerId !== undefined) tracer.putAnnotation('chargerId', chargerId);
  },
});
