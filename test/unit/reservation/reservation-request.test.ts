import { describe, expect, it } from 'vitest';
import { checkOutbound, loadValidators } from '#shared/ocpp/validate.ts';
import type { OcppProtocol } from '#shared/ocpp/frames.ts';
import { CreateReservationSchema, reservationFor, reserveNowPayload, type CreateReservation } from '#shared/reservation/reservation-api.ts';
import { reservationRequestOf } from '#shared/reservation/reservation-effects.ts';

const body = (o: Partial<CreateReservation> = {}): CreateReservation => ({
  chargerId: 'CP-1',
  idToken: { value: 'TAG-A' },
  expiresAt: '2026-06-01T14:00:00+02:00',
  ...o,
});
const who = { idToken: 'TAG-A', idTokenType: 'ISO14443' };

describe('reservationFor', () => {
  it('1.6: a connector (none: the charger as a whole), no token types, the expiry in UTC', () => {
    expect(reservationFor('ocpp1.6', body({ connectorId: 2 }), { ...who, groupIdToken: 'G', groupIdTokenType: 'Central' }, 5)).toEqual({
      ok: true,
      value: { chargerId: 'CP-1', reservationId: 5, expiry: '2026-06-01T12:00:00.000Z', connectorId: 2, idToken: 'TAG-A', groupIdToken: 'G' },
    });
    expect(reservationFor('ocpp1.6', body(), who, 5)).toMatchObject({ ok: true, value: { connectorId: 0 } });
  });

  it('1.6 refuses an EVSE or connector type; 2.x refuses a connector id', () => {
    expect(reservationFor('ocpp1.6', body({ evseId: 1 }), who, 5)).toMatchObject({ ok: false, reason: 'invalid', field: '/evseId' });
    expect(reservationFor('ocpp1.6', body({ connectorType: 'cType2' }), who, 5)).toMatchObject({ ok: false, field: '/connectorType' });
    expect(reservationFor('ocpp2.0.1', body({ connectorId: 1 }), who, 5)).toMatchObject({ ok: false, reason: 'invalid', field: '/connectorId' });
  });

  it('2.x: an EVSE, a connector type, or neither (any EVSE)', () => {
    expect(reservationFor('ocpp2.0.1', body({ evseId: 1, connectorType: 'cType2' }), who, 5)).toMatchObject({ ok: true, value: { evseId: 1, connectorType: 'cType2', idTokenType: 'ISO14443' } });
    const any = reservationFor('ocpp2.0.1', body(), who, 5);
    expect(any.ok && 'evseId' in any.value).toBe(false);
  });
});

describe('reserveNowPayload', () => {
  it.each([
    ['ocpp1.6', { connectorId: 1 }],
    ['ocpp1.6', {}],
    ['ocpp2.0.1', { evseId: 2 }],
    ['ocpp2.0.1', { connectorType: 'cCCS2' }],
    ['ocpp2.1', { evseId: 1 }],
  ] as const)('%s %o: a valid ReserveNow that reads back as the same reservation', async (protocol: OcppProtocol, target) => {
    const asked = reservationFor(protocol, body({ ...target, groupId: 'FLEET' }), { ...who, groupIdToken: 'FLEET', groupIdTokenType: 'Central' }, 42);
    if (!asked.ok) throw new Error(asked.detail);
    const payload = reserveNowPayload(protocol, asked.value);
    await loadValidators(protocol);
    expect(checkOutbound(protocol, 'ReserveNow', 'request', payload)).toEqual({ ok: true });
    expect(reservationRequestOf('CP-1', protocol, payload)).toEqual(asked.value);
  });
});

describe('CreateReservationSchema', () => {
  it('needs a token or a group, and an expiry with its offset', () => {
    expect(CreateReservationSchema.safeParse({ chargerId: 'CP-1', expiresAt: '2026-06-01T12:00:00Z' }).success).toBe(false);
    expect(CreateReservationSchema.safeParse({ chargerId: 'CP-1', groupId: 'G', expiresAt: '2026-06-01T12:00:00Z' }).success).toBe(true);
    expect(CreateReservationSchema.safeParse({ chargerId: 'CP-1', groupId: 'G', expiresAt: 'tomorrow' }).success).toBe(false);
  });
});
