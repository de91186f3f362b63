/** API Gateway's clocks on a connection: idle timeout and maximum duration (short here, 10 min and 2 h by default). */
import { afterEach, expect, it } from 'vitest';
import { startLocalRuntime } from '../../../bin/local/runtime.ts';
import type { LocalRuntime, LocalRuntimeOptions } from '../../../bin/local/runtime.ts';
import { deleteTables } from '../../../bin/local/tables.ts';
import { localDynamoClient } from '../../../bin/local/handler-env.ts';
import { testDynamoEndpoint, uniquePrefix } from '../../support/dynamo.ts';
import { closed, openSocket } from '../../support/ws-client.ts';
import { fixtureRoutes, loadFixture } from './fixtures/host.ts';
import { waitForInvocation } from './fixtures/recorder.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
let runtime: LocalRuntime | undefined;

const start = (limits: Pick<LocalRuntimeOptions, 'idleTimeoutMs' | 'maxConnectionMs'>) =>
  startLocalRuntime({
    dynamodbEndpoint: testDynamoEndpoint(),
    tablePrefix: uniquePrefix('timeouts'),
    routes: fixtureRoutes,
    loadModule: loadFixture,
    logger: quiet,
    ...limits,
  });

afterEach(async () => {
  await runtime?.stop();
  if (runtime) {
    const db = localDynamoClient(runtime.dynamodbEndpoint);
    await deleteTables(db, Object.values(runtime.tables));
    db.destroy();
  }
  runtime = undefined;
});

it.each([
  ['an idle connection', { idleTimeoutMs: 200, maxConnectionMs: 0 }, 'CP-IDLE'],
  ['a connection at its maximum duration', { idleTimeoutMs: 0, maxConnectionMs: 200 }, 'CP-MAX'],
])('closes %s with 1001 and runs $disconnect', async (_what, limits, id) => {
  runtime = await start(limits);
  const ws = await openSocket(runtime.chargerUrl(id), { basic: 'any:secret', protocols: ['ocpp1.6'] });
  expect((await closed(ws)).code).toBe(1001);
  expect((await waitForInvocation('$disconnect', id)).event.requestContext.disconnectStatusCode).toBe(1001);
});
