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

export const traced = <C extends object>(client: C): C => tracer.captureAWSv3Client(client);
