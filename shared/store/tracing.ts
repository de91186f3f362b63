/**
 * X-Ray tracing of the AWS SDK calls, through Powertools Tracer: every client the stores and the function adapters
 * make goes through `traced`, which adds a subsegment per call (service, operation, latency, retries, throttles) to
 * the invocation's trace. Made here, beside the clients, so that no client can be made before the tracer exists,
 * whatever order a handler's modules load in. The tracer is off, and `traced` hands the client back untouched,
 * wherever X-Ray cannot be (no AWS_EXECUTION_ENV: `npm start`, the CLI, tests) or POWERTOOLS_TRACE_ENABLED=false.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';

/** One per process: the handler middleware (functions/_common/tracer.ts) uses it too. */
export const tracer = new Tracer();

/** Which failures of a client's calls are outcomes, not faults: a condition that did not hold, a 404, a 410. */
export type ExpectedFailure = (error: unknown) => boolean;

type Next = (args: unknown) => Promise<unknown>;
/** What of an SDK client this module touches (its middleware stack is typed per client). */
interface ClientStack {
  readonly middlewareStack: { add(middleware: (next: Next) => Next, options: { step: 'finalizeRequest'; name: string }): void };
}

/**
 * X-Ray's middleware records the stack of every failed call, and reading an error's stack maps each frame through
 * the bundle's source map (NODE_OPTIONS=--enable-source-maps): over 100 ms the first time in a container, tens of
 * milliseconds after. For an expected failure the stack says nothing, so it is cut to its first line below X-Ray's
 * middleware (which runs at the build step), before anything reads it; faults keep theirs.
 */
const withoutStacksOf = (client: object, expected: ExpectedFailure): void => {
  (client as ClientStack).middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (error instanceof Error && expected(error)) {
          Object.defineProperty(error, 'stack', { value: `${error.name}: ${error.message}`, writable: true, configurable: true });
        }
        throw error;
      }
    },
    { step: 'finalizeRequest', name: 'expectedFailuresWithoutStack' },
  );
};

export const traced = <C extends object>(client: C, expected?: ExpectedFailure): C => {
  if (!tracer.isTracingEnabled()) return client;
  if (expected) withoutStacksOf(client, expected);
  return tracer.captureAWSv3Client(client);
};
