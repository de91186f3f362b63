import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '../../bin/local/runtime.ts';
import { freePort } from '../../bin/local/os.ts';
import { createCharger } from '#shared/charger/registry.ts';

import { deployedTarget, depsFor, ocppClient } from '../support/e2e.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'ov2xmp-restart-'));
/** The latest start, kept even while pending: a test that times out mid-start must still stop Java. */
let starting: Promise<LocalRuntime> | undefined;

afterAll(async () => {
  await (await starting?.catch(() => undefined))?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(deployedTarget !== undefined)('the local runtime across a restart', () => {
  // Starts DynamoDB Local (Java) twice: allow for a loaded 2-core machine.
  it('keeps chargers, passwords and transactions in its data directory', { timeout: 120_000 }, async () => {
    process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
    // Same ports both times: the handlers, loaded once per process like a warm Lambda, keep their endpoints.
    const ports = { port: await freePort(), dynamodbPort: await freePort() };
    const logger = { info: () => undefined, warn: () => undefined, error: console.error };
    let runtime = await (starting = startLocalRuntime({ dataDir, ...ports, logger }));
    const created = await createCharger(depsFor(runtime), { chargerId: 'CP-PERSIST' });
    if (!created.created) throw new Error('setup');
    const connect = (rt: LocalRuntime) =>
      ocppClient({ endpoint: rt.wsUrl, identity: 'CP-PERSIST', password: created.password, protocols: ['ocpp1.6'] });
    const before = await connect(runtime);
    const { transactionId } = (await before.call('StartTransaction', { connectorId: 1, idTag: 'ANY', meterStart: 7, timestamp: new Date().toISOString() })) as { transactionId: number };
    await before.close();
    await runtime.stop();

    runtime = await (starting = startLocalRuntime({ dataDir, ...ports, logger }));
    const after = await connect(runtime); // the stored password hash still admits it
    expect(await after.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' })).toMatchObject({ status: 'Accepted' });
    expect(await depsFor(runtime).stores.transactions.get('CP-PERSIST', String(transactionId))).toMatchObject({ meterStartWh: 7, status: 'active' });
    await after.call('StopTransaction', { transactionId, meterStop: 10, timestamp: new Date().toISOString() });
    expect(await depsFor(runtime).stores.transactions.get('CP-PERSIST', String(transactionId))).toMatchObject({ energyWh: 3, status: 'ended' });
    await after.close();
  });
});
