/**
 * A TCP stand-in between the handlers and the shared DynamoDB Local that a test can stop, start again, or make
 * stop answering, to see what a charger gets when the store fails. Stopping it refuses connections
 * (ECONNREFUSED) as a stopped DynamoDB Local does; `hang` accepts and never answers, like a store that stalls.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type ProxyMode = 'pass' | 'stopped' | 'hang';

export interface StoreProxy {
  readonly endpoint: string;
  /** Cuts every open connection and, for `stopped`, stops listening (same port when started again). */
  set(mode: ProxyMode): Promise<void>;
  close(): Promise<void>;
}

export const startStoreProxy = async (target: string): Promise<StoreProxy> => {
  const { hostname, port: targetPort } = new URL(target);
  const open = new Set<Socket>();
  let mode: ProxyMode = 'pass';
  const track = (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => undefined);
  };
  const server: Server = createServer((client) => {
    track(client);
    if (mode === 'hang') return;
    const upstream = connect(Number(targetPort), hostname);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const cutAll = () => {
    for (const socket of open) socket.destroy();
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async set(next) {
      const wasListening = server.listening;
      mode = next;
      cutAll();
      if (next === 'stopped' && wasListening) await new Promise<void>((resolve) => server.close(() => resolve()));
      if (next !== 'stopped' && !wasListening) await listen(port);
    },
    async close() {
      cutAll();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
