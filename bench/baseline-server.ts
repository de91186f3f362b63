/**
 * The baseline: a minimal in-memory OCPP server on ocpp-rpc that answers the benchmark's messages with valid
 * replies and stores nothing. Our throughput is reported as a ratio of this, measured on the same machine.
 */
import type { AddressInfo } from 'node:net';
import { RPCServer } from 'ocpp-rpc';

type Params = Record<string, unknown>;
const now = () => new Date().toISOString();
let nextTransactionId = 1;

const ANSWERS: Record<string, (p: Params) => unknown> = {
  BootNotification: () => ({ status: 'Accepted', currentTime: now(), interval: 300 }),
  Heartbeat: () => ({ currentTime: now() }),
  StatusNotification: () => ({}),
  MeterValues: () => ({}),
  Authorize: (p) => ('idTag' in p ? { idTagInfo: { status: 'Accepted' } } : { idTokenInfo: { status: 'Accepted' } }),
  StartTransaction: () => ({ transactionId: nextTransactionId++, idTagInfo: { status: 'Accepted' } }),
  StopTransaction: () => ({}),
  TransactionEvent: (p) => (p.eventType === 'Started' ? { idTokenInfo: { status: 'Accepted' } } : {}),
};

export interface BaselineServer {
  url: (chargerId: string) => string;
  close(): Promise<void>;
}

export const startBaselineServer = async (): Promise<BaselineServer> => {
  // ocpp-rpc's typings require every option although the library defaults them.
  const server = new RPCServer({ protocols: ['ocpp1.6', 'ocpp2.0.1'], strictMode: false } as ConstructorParameters<typeof RPCServer>[0]);
  server.auth((accept) => accept());
  server.on('client', (client) => {
    client.handle(({ method, params }: { method: string; params: Params }) => {
      const answer = ANSWERS[method];
      if (!answer) throw new Error(`baseline does not answer ${method}`);
      return answer(params);
    });
  });
  const http = await server.listen(0, '127.0.0.1');
  const port = (http.address() as AddressInfo).port;
  return {
    url: (id) => `ws://127.0.0.1:${port}/ocpp/${encodeURIComponent(id)}`,
    close: () => server.close({ force: true } as Parameters<typeof server.close>[0]).then(() => undefined),
  };
};
