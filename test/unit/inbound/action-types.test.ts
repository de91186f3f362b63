// Mostly checked by the compiler: `tsc --noEmit` fails if an expectTypeOf does not hold or an @ts-expect-error line
// compiles. The runtime assertions cover the table lookup.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as V16 from '#shared/ocpp/generated/ocpp16.types.ts';
import type * as V201 from '#shared/ocpp/generated/ocpp201.types.ts';
import type * as V21 from '#shared/ocpp/generated/ocpp21.types.ts';
import { inboundAction, inboundActions } from '#shared/inbound/actions.ts';
import type {
  InboundContext,
  Ocpp16ActionSpec,
  Ocpp16ActionTable,
  Ocpp201ActionTable,
  Ocpp21ActionTable,
  Ocpp2ActionSpec,
} from '#shared/inbound/types.ts';

const NOW = '2024-05-01T12:00:00Z';

describe('generated payload types', () => {
  it('type 1.6 StartTransaction.req with its required fields and an optional reservationId', () => {
    expectTypeOf<V16.Ocpp16Actions['StartTransaction']['request']>().toEqualTypeOf<{
      connectorId: number;
      idTag: string;
      meterStart: number;
      reservationId?: number;
      timestamp: string;
    }>();
    expectTypeOf<V16.StopTransactionRequest['reason']>().toEqualTypeOf<
      | 'EmergencyStop' | 'EVDisconnected' | 'HardReset' | 'Local' | 'Other' | 'PowerLoss' | 'Reboot' | 'Remote'
      | 'SoftReset' | 'UnlockCommand' | 'DeAuthorized' | undefined
    >();
  });

  it('type the 1.6 security extension, its shared definitions named as in the whitepaper', () => {
    expectTypeOf<V16.Ocpp16ChargerActions['SignCertificate']['request']>().toEqualTypeOf<{ csr: string }>();
    expectTypeOf<V16.Ocpp16ChargerActions['SignCertificate']['response']['status']>().toEqualTypeOf<'Accepted' | 'Rejected'>();
    expectTypeOf<V16.DeleteCertificateRequest['certificateHashData']>().toEqualTypeOf<V16.CertificateHashDataType>();
    expectTypeOf<V16.CertificateHashDataType['hashAlgorithm']>().toEqualTypeOf<'SHA256' | 'SHA384' | 'SHA512'>();
    expectTypeOf<Extract<'GetLog' | 'CertificateSigned', V16.Ocpp16CsmsAction>>().toEqualTypeOf<'GetLog' | 'CertificateSigned'>();
    expectTypeOf<Extract<'SecurityEventNotification', V16.Ocpp16ChargerAction>>().toEqualTypeOf<'SecurityEventNotification'>();
  });

  it('type 2.0.1 TransactionEvent transactionInfo through named definitions', () => {
    expectTypeOf<V201.TransactionEventRequest['transactionInfo']>().toEqualTypeOf<V201.TransactionType>();
    expectTypeOf<V201.TransactionType['transactionId']>().toEqualTypeOf<string>();
    expectTypeOf<V201.TransactionType['chargingState']>()
      .toEqualTypeOf<'Charging' | 'EVConnected' | 'SuspendedEV' | 'SuspendedEVSE' | 'Idle' | undefined>();
    expectTypeOf<V201.TransactionEventRequest['eventType']>().toEqualTypeOf<'Ended' | 'Started' | 'Updated'>();
  });

  it('type what 2.1 changed: a free-form IdToken type, new fields and new messages', () => {
    expectTypeOf<V201.IdTokenType['type']>().toEqualTypeOf<V201.IdTokenEnumType>();
    expectTypeOf<V21.IdTokenType['type']>().toEqualTypeOf<string>();
    expectTypeOf<V21.TransactionType>().toHaveProperty('operationMode');
    expectTypeOf<V21.Ocpp21Actions['VatNumberValidation']['request']>()
      .toEqualTypeOf<{ vatNumber: string; evseId?: number; customData?: V21.CustomDataType }>();
    expectTypeOf<V21.Ocpp21Sends['NotifyPeriodicEventStream']['request']>().toEqualTypeOf<V21.NotifyPeriodicEventStreamRequest>();
  });

  it('split each version into charger- and CSMS-initiated CALLs, with the CSMS commands typed too', () => {
    expectTypeOf<V16.Ocpp16CsmsActions['Reset']['request']>().toEqualTypeOf<{ type: 'Hard' | 'Soft' }>();
    expectTypeOf<V201.Ocpp201CsmsActions['Reset']['request']['type']>().toEqualTypeOf<'Immediate' | 'OnIdle'>();
    expectTypeOf<Extract<'Reset', V16.Ocpp16ChargerAction>>().toBeNever();
    expectTypeOf<Extract<'BootNotification', V21.Ocpp21CsmsAction>>().toBeNever();
    expectTypeOf<Extract<'DataTransfer', V201.Ocpp201ChargerAction & V201.Ocpp201CsmsAction>>().toEqualTypeOf<'DataTransfer'>();
  });

  it('are empty-object types that still refuse any key when the schema allows none', () => {
    expectTypeOf<V16.StatusNotificationResponse>().toEqualTypeOf<Record<string, never>>();
    // @ts-expect-error 1.6 StatusNotification.conf has no properties
    const extra: V16.StatusNotificationResponse = { accepted: true };
    expect(extra).toBeDefined();
  });
});

describe('typed action tables', () => {
  // Never called: these only have to compile, or (marked) fail to.
  const boot16 = (status: V16.BootNotificationResponse['status']): Ocpp16ActionSpec<'BootNotification'> => ({
    handle: async () => ({ status, currentTime: NOW, interval: 300 }),
  });

  it('check a handler answer against its action response type', () => {
    expect(boot16('Accepted')).toBeDefined();
    // @ts-expect-error "OK" is no 1.6 RegistrationStatus
    const wrongEnum: Ocpp16ActionSpec<'BootNotification'> = { handle: async () => ({ status: 'OK', currentTime: NOW, interval: 300 }) };
    // @ts-expect-error interval is required
    const missing: Ocpp16ActionSpec<'BootNotification'> = { handle: async () => ({ status: 'Accepted', currentTime: NOW }) };
    // TypeScript does not flag an unknown key in a callback's inferred return value (a misspelt optional field);
    // the closed response schema does, before anything is sent (assertValidOutbound in handle-frame).
    expect([wrongEnum, missing]).toHaveLength(2);
  });

  it('give a handler only what its request schema guarantees', () => {
    const readsAbsentField: Ocpp16ActionSpec<'StopTransaction'> = {
      handle: async (_ctx: InboundContext, p) => {
        // @ts-expect-error idTag is optional in StopTransaction.req
        const tag: string = p.idTag;
        return tag ? {} : {};
      },
    };
    expect(readsAbsentField).toBeDefined();
  });

  it('check a shared 2.x handler against both 2.0.1 and 2.1', () => {
    const authorize2: Ocpp2ActionSpec<'Authorize'> = {
      // @ts-expect-error the answer's groupIdToken.type must be a 2.0.1 IdTokenEnumType to suit both versions
      handle: async (_ctx, p) => {
        // Either version's request: 2.1 widened IdTokenType.type to any string.
        expectTypeOf(p.idToken.type).toEqualTypeOf<string>();
        return { idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: 'G', type: 'Fleet' } } };
      },
    };
    expect(authorize2).toBeDefined();
  });

  it('admit only the actions a charger sends', () => {
    const heartbeat16 = inboundActions['ocpp1.6'].Heartbeat;
    // @ts-expect-error Reset is sent by the CSMS, never by a charger
    const withCommand: Ocpp16ActionTable = { Reset: heartbeat16 };
    // @ts-expect-error a 1.6 BootNotification handler answers 1.6 words, not 2.0.1 ones (request types differ too)
    const crossed: Ocpp201ActionTable = { BootNotification: boot16('Accepted') };
    expect([withCommand, crossed]).toHaveLength(2);
    expectTypeOf(inboundActions['ocpp2.1']).toEqualTypeOf<Ocpp21ActionTable>();
  });

  it('are looked up by own key only', () => {
    expect(inboundAction('ocpp1.6', 'BootNotification')).toBe(inboundActions['ocpp1.6'].BootNotification);
    expect(inboundAction('ocpp2.1', 'TransactionEvent')).toBe(inboundActions['ocpp2.0.1'].TransactionEvent);
    expect(inboundAction('ocpp1.6', 'TransactionEvent')).toBeUndefined();
    expect(inboundAction('ocpp1.6', 'constructor')).toBeUndefined();
    expect(inboundAction('ocpp2.0.1', 'toString')).toBeUndefined();
  });
});
