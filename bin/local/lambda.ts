/**
 * Hosts route handlers the way Lambda does: each entry module is imported once (a warm container), every call
 * gets a fresh Lambda context and a JSON copy of the event, and a call that outlives the route's timeout fails.
 *
 * Invocations run concurrently in this one process, as on Lambda Managed Instances: each runs inside its own
 * context of the Lambda runtime's InvokeStore (AsyncLocalStorage), so Powertools' logger stamps every line with
 * that invocation's function name and request id, never another's.
 *
 * A timed-out invocation is stopped where it touches the outside world: Lambda ends the execution environment,
 * so nothing the invocation still does reaches DynamoDB, SQS or @connections. Here every HTTP request it has in
 * flight is destroyed, and every request it starts later fails before it is sent. What remains different:
 * its JavaScript keeps running until its next such request (CPU, timers, log lines), and a request already
 * received by the service may have taken effect, as it may on AWS.
 */
import { randomUUID } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';
import type { RouteDef } from '#functions/routes.ts';

/** A Lambda entry's `handler`; events are plain JSON, so `never` keeps callers from assuming a type. */
export type LambdaHandler = (event: never, context: Context) => unknown;

export interface HandlerModule {
  readonly handler: LambdaHandler;
}

/** Imports a route's entry file (relative to functions/). Tests inject their own to host fixture handlers. */
export type LoadModule = (entry: string) => Promise<HandlerModule>;

export type Invocation = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: unknown };

export interface LambdaFunction {
  readonly route: RouteDef;
  invoke(event: object): Promise<Invocation>;
}

const FUNCTIONS_DIR = new URL('../../functions/', import.meta.url);

export const importFromFunctionsDir: LoadModule = async (entry) =>
  (await import(new URL(entry, FUNCTIONS_DIR).href)) as HandlerModule;

const DEFAULT_TIMEOUT_SECONDS = 10; // RouteBase.timeoutSeconds @default
const DEFAULT_MEMORY_MB = 256; // RouteBase.memoryMb @default

const notSupported = () => {
  throw new Error('Callback-style context.done/succeed/fail is not supported: return a value or a promise.');
};

const lambdaContext = (route: RouteDef, deadline: number): Context => ({
  functionName: route.id,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${route.id}`,
  memoryLimitInMB: String(route.memoryMb ?? DEFAULT_MEMORY_MB),
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${route.id}`,
  logStreamName: `local/[$LATEST]${process.pid}`,
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done: notSupported,
  succeed: notSupported,
  fail: notSupported,
});

class LambdaTimeoutError extends Error {
  override readonly name = 'LambdaTimeoutError';
}

/** What the host knows of one running invocation, kept in its InvokeStore context. */
interface InvocationState {
  timedOut?: LambdaTimeoutError;
  readonly requests: Set<ClientRequest>;
}

const INVOCATION = Symbol('local.invocation');

// The InvokeStore Lambda's Node.js runtime provides, in its concurrent (AsyncLocalStorage) form.
const invokeStore = await InvokeStore.getInstanceAsync(true);

const currentInvocation = (): InvocationState | undefined =>
  invokeStore.hasContext() ? (invokeStore.get(INVOCATION) as InvocationState | undefined) : undefined;

// Every HTTP request the AWS SDK makes from inside an invocation (Node publishes it in the caller's context).
subscribe('http.client.request.created', (message) => {
  const { request } = message as { request: ClientRequest };
  const invocation = currentInvocation();
  if (!invocation) return;
  if (invocation.timedOut) {
    request.destroy(invocation.timedOut);
    return;
  }
  invocation.requests.add(request);
  request.once('close', () => invocation.requests.delete(request));
});

const stopEffects = (invocation: InvocationState, error: LambdaTimeoutError) => {
  invocation.timedOut = error;
  for (const request of invocation.requests) request.destroy(error);
};

/** Lambda passes events and results as JSON: a handler can neither share objects with us nor return a Date. */
const viaJson = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

const invokeOnce = async (route: RouteDef, handler: LambdaHandler, event: object): Promise<Invocation> => {
  const timeoutMs = (route.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1_000;
  const context = lambdaContext(route, Date.now() + timeoutMs);
  const invocation: InvocationState = { requests: new Set() };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new LambdaTimeoutError(`${route.id}: Task timed out after ${timeoutMs / 1_000} seconds`);
      stopEffects(invocation, error);
      reject(error);
    }, timeoutMs);
  });
  const store = {
    [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId,
    [INVOCATION]: invocation,
  };
  try {
    const running = invokeStore.run(store, () => Promise.resolve(handler(viaJson(event) as never, context)));
    const result = await Promise.race([running, timedOut]);
    return { ok: true, result: viaJson(result) };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
};

/** Imports each route's module once and wraps its handler. */
export const loadFunctions = async <R extends RouteDef>(
  routes: readonly R[],
  loadModule: LoadModule,
): Promise<Map<R, LambdaFunction>> => {
  const loaded = await Promise.all(
    routes.map(async (route) => {
      const mod = await loadModule(route.entry);
      if (typeof mod.handler !== 'function') {
        throw new Error(`functions/${route.entry} (route ${route.id}) does not export a handler function.`);
      }
      return [route, { route, invoke: (event: object) => invokeOnce(route, mod.handler, event) }] as const;
    }),
  );
  return new Map(loaded);
};
