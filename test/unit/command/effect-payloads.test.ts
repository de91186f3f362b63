/**
 * The pure parts of command effects: request ids filled in only where the operator left them out, a SendLocalList
 * read in both versions' terms, and which remote start a transaction's start links.
 */
import { describe, expect, it } from 'vitest';
import { withRequestId } from '#shared/command/request-id.ts';
import { answeredListVersion, localListUpdateOf } from '#shared/local-list/local-list.ts';
import { reservationRequestOf } from '#shared/reservation/reservation-effects.ts';
import { pendingStartCommand, remoteStartCommand, startedBy } from '#shared/transaction/remote-start.ts';

describe('request ids', () => {
  it('allocates a positive 31-bit id in the field the catalog names, and keeps one the operator gave', () => {
    const reserved = withRequestId('ocpp1.6', 'ReserveNow', { connectorId: 1 }) as { reservationId: number };
    expect(Number.isInteger(reserved.reservationId) && reserved.reservationId >= 1 && reserved.reservationId <= 2 ** 31 - 1).toBe(true);
    expect(withRequestId('ocpp2.0.1', 'ReserveNow', { id: 0 })).toEqual({ id: 0 });
    expect(withRequestId('ocpp2.1', 'RequestStartTransaction', {})).toHaveProperty('remoteStartId');
    expect(withRequestId('ocpp1.6', 'RemoteStartTransaction', { idTag: 'A' })).toEqual({ idTag: 'A' });
    expect(withRequestId('ocpp1.6', 'ReserveNow', 'not an object')).toBe('not an object');
  });
});

describe('payloads in both versions’ terms', () => {
  it('reads a reservation request', () => {
    expect(reservationRequestOf('CP', 'ocpp1.6', { connectorId: 0, expiryDate: 'T', idTag: 'A', parentIdTag: 'P', reservationId: 3 })).toEqual({
      chargerId: 'CP',
      reservationId: 3,
      expiry: 'T',
      connectorId: 0,
      idToken: 'A',
      groupIdToken: 'P',
    });
    expect(reservationRequestOf('CP', 'ocpp2.1', { id: 4, expiryDateTime: 'T', idToken: { idToken: 'B', type: 'eMAID' }, connectorType: 'cType2' })).toEqual({
      chargerId: 'CP',
      reservationId: 4,
      expiry: 'T',
      connectorType: 'cType2',
      idToken: 'B',
      idTokenType: 'eMAID',
    });
  });

  it('reduces a SendLocalList to one entry per token (the last sent), removing only in a Differential update', () => {
    const list = [{ idTag: 'A', idTagInfo: { status: 'Accepted' } }, { idTag: 'B' }, { idTag: 'A', idTagInfo: { status: 'Blocked' } }];
    expect(localListUpdateOf('ocpp1.6', { listVersion: 2, updateType: 'Differential', localAuthorizationList: list })).toEqual({
      version: 2,
      updateType: 'Differential',
      upserts: [{ idToken: 'A', info: { status: 'Blocked' } }],
      removals: [{ idToken: 'B' }],
    });
    expect(localListUpdateOf('ocpp1.6', { listVersion: 3, updateType: 'Full', localAuthorizationList: list }).removals).toEqual([]);
    expect(localListUpdateOf('ocpp2.0.1', { versionNumber: 5, updateType: 'Full' })).toEqual({ version: 5, updateType: 'Full', upserts: [], removals: [] });
    expect(
      localListUpdateOf('ocpp2.0.1', {
        versionNumber: 6,
        updateType: 'Differential',
        localAuthorizationList: [{ idToken: { idToken: 'X', type: 'ISO14443' } }, { idToken: { idToken: 'X', type: 'eMAID' }, idTokenInfo: { status: 'Accepted' } }],
      }),
    ).toEqual({
      version: 6,
      updateType: 'Differential',
      upserts: [{ idToken: 'X', idTokenType: 'eMAID', info: { status: 'Accepted' } }],
      removals: [{ idToken: 'X', idTokenType: 'ISO14443' }],
    });
    expect([answeredListVersion('ocpp1.6', { listVersion: -1 }), answeredListVersion('ocpp2.1', { versionNumber: 7 }), answeredListVersion('ocpp2.1', {})]).toEqual([-1, 7, undefined]);
  });
});

describe('which remote start a start links', () => {
  const pending = { chargerId: 'CP', idTag: 'A', connectorId: 2, commandId: 'cmd', acceptedAt: '2026-05-01T10:00:00.000Z' };

  it('1.6: the pending start of its connector (or of any, when it named none) within five minutes', () => {
    expect(pendingStartCommand(pending, 2, '2026-05-01T10:04:59.000Z')).toBe('cmd');
    expect(pendingStartCommand(pending, 1, '2026-05-01T10:01:00.000Z')).toBeUndefined();
    expect(pendingStartCommand(pending, 2, '2026-05-01T10:05:01.000Z')).toBeUndefined();
    const anyConnector = { chargerId: 'CP', idTag: 'A', commandId: 'cmd', acceptedAt: pending.acceptedAt };
    expect(pendingStartCommand(anyConnector, 7, '2026-05-01T10:00:30.000Z')).toBe('cmd');
    expect(pendingStartCommand(undefined, 2, '2026-05-01T10:00:30.000Z')).toBeUndefined();
  });

  it('2.x: the remote start its id found, for a day; never replacing a link', () => {
    const found = { chargerId: 'CP', remoteStartId: 9, commandId: 'cmd', acceptedAt: '2026-05-01T10:00:00.000Z' };
    expect(remoteStartCommand(found, '2026-05-02T09:59:00.000Z')).toBe('cmd');
    expect(remoteStartCommand(found, '2026-05-02T10:01:00.000Z')).toBeUndefined();
    const tx = { chargerId: 'CP', transactionId: 'T', protocol: 'ocpp2.0.1' as const, status: 'active' as const, firstEventAt: 'x', version: 1, updatedAt: 'x' };
    expect(startedBy(tx, 'cmd')).toMatchObject({ startedByCommand: 'cmd' });
    expect(startedBy({ ...tx, startedByCommand: 'first' }, 'cmd').startedByCommand).toBe('first');
    expect(startedBy(tx, undefined)).toBe(tx);
  });
});
