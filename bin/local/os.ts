import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Asks the OS for a free TCP port on 127.0.0.1 (for children such as DynamoDB Local that need a port number up front). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

/** Whether a process with this pid exists (signal 0 checks without signalling). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops a child that leads its own process group (spawned `detached`): SIGTERM to the group, then SIGKILL
 * if it is still there after `graceMs`. Resolves once the leader is gone.
 */
export const terminateProcessGroup = async (pid: number, graceMs = 5_000): Promise<void> => {
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };
  signalGroup('SIGTERM');
  for (const deadline = Date.now() + graceMs; Date.now() < deadline; await sleep(50)) {
    if (!isAlive(pid)) return;
  }
  signalGroup('SIGKILL');
  while (isAlive(pid)) await sleep(20);
};
