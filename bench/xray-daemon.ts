/**
 * A stand-in for the X-Ray daemon, and the environment Lambda gives a function with active tracing: what the
 * cold-start benchmark runs its bundles with and the tracing test its handlers with. The X-Ray SDK sends each
 * (sub)segment as one UDP datagram, a header line and a JSON document.
 */
import { createSocket } from 'node:dgram';

/** The fields of a (sub)segment document that the benchmark and the tests read. */
export interface XraySegment {
  readonly name: string;
  readonly id: string;
  readonly trace_id?: string;
  readonly parent_id?: string;
  readonly namespace?: string;
  readonly annotations?: Readonly<Record<string, unknown>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly aws?: { readonly operation?: string; readonly table_name?: string };
  readonly error?: boolean;
  readonly cause?: { readonly exceptions?: readonly { readonly type?: string; readonly stack?: readonly unknown[] }[] };
}

export interface XrayDaemon {
  /** Every document received, in order of arrival. */
  readonly segments: XraySegment[];
  readonly port: number;
  close(): void;
}

export const startXrayDaemon = async (): Promise<XrayDaemon> => {
  const socket = createSocket('udp4');
  const segments: XraySegment[] = [];
  socket.on('message', (datagram) => {
    const document = datagram.toString('utf8').split('\n')[1];
    if (document) segments.push(JSON.parse(document) as XraySegment);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { segments, port: socket.address().port, close: () => socket.close() };
};

/** The trace root of `lambdaTracingEnv`'s invocations. */
export const TRACE_ROOT = '1-6750a000-0123456789abcdef01234567';

/** What Lambda sets for a function with active tracing, on-demand, in a sampled trace, sending to `daemon`. */
export const lambdaTracingEnv = (daemon: Pick<XrayDaemon, 'port'>, taskRoot: string): Record<string, string> => ({
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  LAMBDA_TASK_ROOT: taskRoot,
  _HANDLER: 'index.handler',
  _X_AMZN_TRACE_ID: `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
  AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.port}`,
});
