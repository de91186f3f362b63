/**
 * ChangeAvailability answered through the real $default handler on DynamoDB Local: a taken change (Accepted or
 * Scheduled) is kept on the connector, EVSE or charger it names, beside the status the charger reports, for two
 * requests more than any reply (the command's read, one UpdateItem); a rejected one keeps nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCharger } from '#shared/charger/registry.ts';
import { capacitySnapshot } from '#shared/store/capacity-meter.ts';
import { answeredCommand, commandInFlight, type InFlight } from '../../support/command-replies.ts';
import { startHarness, type Harness } from '../../support/handler-harness.ts';

let h: Harness;
const CP = 'CP-AVAIL2';

beforeAll(async () => {
  h = await startHarness({ CSMS_CAPACITY_METER: 'on' });
  await createCharger(h.deps, { chargerId: CP, registrationStatus: 'accepted' });
});
afterAll(async () => h?.close());

const changeAvailability = (payload: unknown): InFlight => ({ chargerId: CP, protocol: 'ocpp2.0.1', action: 'ChangeAvailability', payload });
const connector = async (evseId: number, connectorId: number) =>
  (await h.deps.stores.connectors.list(CP)).find((c) => c.evseId === evseId && c.connectorId === connectorId);

describe('2.0.1 ChangeAvailability', () => {
  it('keeps a Scheduled change of an EVSE on its connector 0, for the command read and one UpdateItem more than a plain reply', async () => {
    const commandId = await commandInFlight(h, changeAvailability({ operationalStatus: 'Inoperative', evse: { id: 2 } }));
    const before = capacitySnapshot().requests;
    await h.send(CP, 'ocpp2.0.1', JSON.stringify([3, commandId, { status: 'Scheduled' }]));
    // GetItem slot, TransactWriteItems command + slot, PutItem log; then GetItem command, UpdateItem connector.
    expect(capacitySnapshot().requests - before).toBe(5);
    const completedAt = (await h.deps.stores.commands.get(commandId))?.completedAt;
    expect(await connector(2, 0)).toEqual({
      chargerId: CP,
      evseId: 2,
      connectorId: 0,
      availability: 'Inoperative',
      availabilityAnswer: 'Scheduled',
      availabilityRequestedBy: commandId,
      availabilityAnsweredAt: completedAt,
    });
  });

  it('keeps a change of one connector beside the status its charger reports, and a later change replaces it', async () => {
    await h.call(CP, 'ocpp2.0.1', 'StatusNotification', { timestamp: '2026-04-01T10:00:00Z', connectorStatus: 'Occupied', evseId: 1, connectorId: 1 }, 'accepted');
    await answeredCommand(h, changeAvailability({ operationalStatus: 'Inoperative', evse: { id: 1, connectorId: 1 } }), { status: 'Scheduled' });
    const operative = await answeredCommand(h, changeAvailability({ operationalStatus: 'Operative', evse: { id: 1, connectorId: 1 } }), { status: 'Accepted' });
    expect(await connector(1, 1)).toMatchObject({ status: 'Occupied', availability: 'Operative', availabilityAnswer: 'Accepted', availabilityRequestedBy: operative });
  });

  it('keeps a change of the whole station on EVSE 0 connector 0, and nothing of a rejected one', async () => {
    const whole = await answeredCommand(h, changeAvailability({ operationalStatus: 'Inoperative' }), { status: 'Accepted' });
    await answeredCommand(h, changeAvailability({ operationalStatus: 'Operative' }), { status: 'Rejected', statusInfo: { reasonCode: 'Busy' } });
    await answeredCommand(h, changeAvailability({ operationalStatus: 'Operative', evse: { id: 3 } }), { status: 'Rejected' });
    expect(await connector(0, 0)).toMatchObject({ availability: 'Inoperative', availabilityRequestedBy: whole });
    expect(await connector(3, 0)).toBeUndefined();
  });
});
