import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wireErrorCode } from '#shared/ocpp/faults.ts';
import type { FaultCode } from '#shared/ocpp/faults.ts';
import { encodeCall, encodeCallError, encodeCallResult, encodeCallResultError, parseFrame, PROTOCOL_PREFERENCE } from '#shared/ocpp/frames.ts';
import type { OcppProtocol, ParseOutcome } from '#shared/ocpp/frames.ts';

const ALL: readonly OcppProtocol[] = PROTOCOL_PREFERENCE;
const V2: readonly OcppProtocol[] = ['ocpp2.0.1', 'ocpp2.1'];

/** The CALLERROR a reject turns into, parsed back: what the charger sees. */
const wire = (protocol: OcppProtocol, outcome: ParseOutcome) => {
  if (outcome.kind !== 'reject') throw new Error(`expected a reject, got ${JSON.stringify(outcome)}`);
  return JSON.parse(encodeCallError(protocol, outcome.messageId, outcome.fault)) as unknown[];
};

// OCPP-J 1.6 Table 7 and 2.x Part 4 Table 8/9.
const OCPP16_CODES = ['NotImplemented', 'NotSupported', 'InternalError', 'ProtocolError', 'SecurityError',
  'FormationViolation', 'PropertyConstraintViolation', 'OccurenceConstraintViolation', 'TypeConstraintViolation',
  'GenericError'];
const OCPP2_CODES: FaultCode[] = ['FormatViolation', 'GenericError', 'InternalError', 'MessageTypeNotSupported',
  'NotImplemented', 'NotSupported', 'OccurrenceConstraintViolation', 'PropertyConstraintViolation', 'ProtocolError',
  'RpcFrameworkError', 'SecurityError', 'TypeConstraintViolation'];

describe('parseFrame: malformed CALLs are answered with the right CALLERROR on every version', () => {
  const longId = 'x'.repeat(37);
  const cases: { name: string; raw: string; id: string; code: FaultCode; v16: string }[] = [
    { name: 'not JSON', raw: '[2,"m1","Heartbeat",', id: '-1', code: 'RpcFrameworkError', v16: 'FormationViolation' },
    { name: 'a JSON object, not an array', raw: '{"a":1}', id: '-1', code: 'RpcFrameworkError', v16: 'FormationViolation' },
    { name: 'a bare JSON string', raw: '"hello"', id: '-1', code: 'RpcFrameworkError', v16: 'FormationViolation' },
    { name: 'an empty array', raw: '[]', id: '-1', code: 'RpcFrameworkError', v16: 'FormationViolation' },
    { name: 'a message type that is not a number', raw: '["2","m1","Heartbeat",{}]', id: '-1', code: 'RpcFrameworkError', v16: 'FormationViolation' },
    { name: 'a numeric message id', raw: '[2,17,"Heartbeat",{}]', id: '-1', code: 'RpcFrameworkError', v16: 'FormationViolation' },
    { name: 'a missing message id', raw: '[2]', id: '-1', code: 'RpcFrameworkError', v16: 'FormationViolation' },
    { name: 'a message id over 36 characters', raw: `[2,"${longId}","Heartbeat",{}]`, id: longId, code: 'RpcFrameworkError', v16: 'FormationViolation' },
    { name: 'an empty message id', raw: '[2,"","Heartbeat",{}]', id: '', code: 'RpcFrameworkError', v16: 'FormationViolation' },
    { name: 'a missing action', raw: '[2,"m1"]', id: 'm1', code: 'RpcFrameworkError', v16: 'FormationViolation' },
    { name: 'an action that is not a string', raw: '[2,"m1",5,{}]', id: 'm1', code: 'RpcFrameworkError', v16: 'FormationViolation' },
    { name: 'a missing payload', raw: '[2,"m1","Heartbeat"]', id: 'm1', code: 'RpcFrameworkError', v16: 'FormationViolation' },
    { name: 'an extra element', raw: '[2,"m1","Heartbeat",{},{}]', id: 'm1', code: 'RpcFrameworkError', v16: 'FormationViolation' },
    { name: 'an array payload', raw: '[2,"m1","Heartbeat",[]]', id: 'm1', code: 'FormatViolation', v16: 'FormationViolation' },
    { name: 'a string payload', raw: '[2,"m1","Heartbeat","{}"]', id: 'm1', code: 'FormatViolation', v16: 'FormationViolation' },
    { name: 'a numeric payload', raw: '[2,"m1","Heartbeat",1]', id: 'm1', code: 'FormatViolation', v16: 'FormationViolation' },
    { name: 'a payload nested 16000 levels deep', raw: `[2,"m1","Heartbeat",{"x":${'['.repeat(16000)}${']'.repeat(16000)}}]`,
      id: 'm1', code: 'FormatViolation', v16: 'FormationViolation' },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} (${c.code}, 1.6: ${c.v16}) with message id "${c.id.slice(0, 8)}"`, () => {
      for (const protocol of ALL) {
        const outcome = parseFrame(protocol, c.raw);
        expect(outcome).toMatchObject({ kind: 'reject', messageId: c.id, fault: { code: c.code } });
        const [type, id, code, description, details] = wire(protocol, outcome);
        expect([type, id, code, details]).toEqual([4, c.id, protocol === 'ocpp1.6' ? c.v16 : c.code, {}]);
        expect(description).toEqual(expect.any(String));
      }
    });
  }
});

describe('parseFrame: message types', () => {
  it('ignores an unknown message type on 1.6 (1.6-J §4.1.3) and 2.1 (Part 4 §4.4)', () => {
    expect(parseFrame('ocpp1.6', '[7,"m1","Heartbeat",{}]')).toMatchObject({ kind: 'ignore' });
    expect(parseFrame('ocpp2.1', '[7,"m1","Heartbeat",{}]')).toMatchObject({ kind: 'ignore' });
  });
  it('answers an unknown message type on 2.0.1 with MessageTypeNotSupported (Part 4 §4.4)', () => {
    const outcome = parseFrame('ocpp2.0.1', '[7,"m1","Heartbeat",{}]');
    expect(wire('ocpp2.0.1', outcome).slice(0, 3)).toEqual([4, 'm1', 'MessageTypeNotSupported']);
    expect(parseFrame('ocpp2.0.1', '[2.5,{}]')).toMatchObject({ kind: 'reject', messageId: '-1' });
  });
  it('accepts CALLRESULTERROR (5) and SEND (6) only on 2.1', () => {
    const callResultError = '[5,"m1","FormatViolation","bad result",{}]';
    const send = '[6,"m2","NotifyPeriodicEventStream",{"id":1,"pending":0,"basetime":"2024-01-01T00:00:00Z","data":[]}]';
    expect(parseFrame('ocpp2.1', callResultError)).toEqual({ kind: 'frame', frame: { type: 'CALLRESULTERROR',
      messageId: 'm1', errorCode: 'FormatViolation', errorDescription: 'bad result', errorDetails: {} } });
    expect(parseFrame('ocpp2.1', send)).toMatchObject({ kind: 'frame', frame: { type: 'SEND', messageId: 'm2', action: 'NotifyPeriodicEventStream' } });
    for (const raw of [callResultError, send]) {
      expect(parseFrame('ocpp1.6', raw)).toMatchObject({ kind: 'ignore' });
      const id = (JSON.parse(raw) as unknown[])[1];
      expect(wire('ocpp2.0.1', parseFrame('ocpp2.0.1', raw)).slice(0, 3)).toEqual([4, id, 'MessageTypeNotSupported']);
    }
  });
});

describe('parseFrame: replies and SENDs are never answered', () => {
  const deep = `{"x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
  const malformedReplies = [`[3,"m1",${deep}]`, '[3,5,{}]', '[3,"m1"]', '[3,"m1",[]]', '[3,"m1",{},{}]', '[4,"m1"]', '[4,"m1",5,"x",{}]',
    '[4,"m1","GenericError","x",{},1]', '[4,null,"GenericError","x",{}]'];
  for (const raw of malformedReplies) {
    it(`ignores the malformed reply ${raw.slice(0, 30)} on every version`, () => {
      for (const protocol of ALL) expect(parseFrame(protocol, raw)).toMatchObject({ kind: 'ignore' });
    });
  }
  it('ignores malformed 2.1 SENDs and CALLRESULTERRORs', () => {
    for (const raw of ['[6,1,"X",{}]', '[6,"m1","X"]', '[6,"m1",3,{}]', '[6,"m1","X",[]]', '[5,"m1"]']) {
      expect(parseFrame('ocpp2.1', raw)).toMatchObject({ kind: 'ignore' });
    }
  });
  it('reads a CALLERROR without description or details, defaulting them to "" and {}', () => {
    expect(parseFrame('ocpp1.6', '[4,"m1","NotSupported"]')).toEqual({ kind: 'frame',
      frame: { type: 'CALLERROR', messageId: 'm1', errorCode: 'NotSupported', errorDescription: '', errorDetails: {} } });
    expect(parseFrame('ocpp2.0.1', '[4,"m1","NotSupported","no",null]')).toMatchObject({ frame: { errorDetails: {} } });
    expect(parseFrame('ocpp2.0.1', `[4,"m1","NotSupported","no",${deep}]`)).toMatchObject({ frame: { errorDetails: {} } });
  });
});

describe('parseFrame: well-formed frames', () => {
  it('ignores empty and blank frames', () => {
    for (const protocol of ALL) {
      expect(parseFrame(protocol, '')).toMatchObject({ kind: 'ignore' });
      expect(parseFrame(protocol, ' \n')).toMatchObject({ kind: 'ignore' });
    }
  });
  it('reads a null payload as {} (the spec allows both for "no payload")', () => {
    expect(parseFrame('ocpp1.6', '[2,"m1","Heartbeat",null]')).toEqual({ kind: 'frame',
      frame: { type: 'CALL', messageId: 'm1', action: 'Heartbeat', payload: {} } });
    expect(parseFrame('ocpp2.0.1', '[3,"m1",null]')).toMatchObject({ frame: { type: 'CALLRESULT', payload: {} } });
  });
  it('round-trips CALL, CALLRESULT and CALLERROR through encode and parse', () => {
    const payload = { chargePointVendor: 'ACME', nested: { list: [1, 'two', null] } };
    for (const protocol of ALL) {
      expect(parseFrame(protocol, encodeCall('id-1', 'BootNotification', payload)))
        .toEqual({ kind: 'frame', frame: { type: 'CALL', messageId: 'id-1', action: 'BootNotification', payload } });
      expect(parseFrame(protocol, encodeCallResult('id-2', payload)))
        .toEqual({ kind: 'frame', frame: { type: 'CALLRESULT', messageId: 'id-2', payload } });
      const error = encodeCallError(protocol, 'id-3', { code: 'OccurrenceConstraintViolation', description: 'd', details: { a: 1 } });
      expect(parseFrame(protocol, error)).toEqual({ kind: 'frame', frame: { type: 'CALLERROR', messageId: 'id-3',
        errorCode: wireErrorCode(protocol, 'OccurrenceConstraintViolation'), errorDescription: 'd', errorDetails: { a: 1 } } });
    }
  });
});

describe('encodeCallError and wireErrorCode', () => {
  it('uses the 1.6 spellings FormationViolation and OccurenceConstraintViolation only on 1.6', () => {
    expect(wireErrorCode('ocpp1.6', 'FormatViolation')).toBe('FormationViolation');
    expect(wireErrorCode('ocpp1.6', 'OccurrenceConstraintViolation')).toBe('OccurenceConstraintViolation');
    for (const protocol of V2) {
      expect(wireErrorCode(protocol, 'FormatViolation')).toBe('FormatViolation');
      expect(wireErrorCode(protocol, 'OccurrenceConstraintViolation')).toBe('OccurrenceConstraintViolation');
    }
  });
  it('only ever puts a code from the version\'s error table on the wire', () => {
    for (const code of OCPP2_CODES) {
      expect(OCPP16_CODES).toContain(wireErrorCode('ocpp1.6', code));
      for (const protocol of V2) expect(OCPP2_CODES).toContain(wireErrorCode(protocol, code));
    }
  });
  it('always sends an errorDetails object and cuts the description to 255 characters', () => {
    const [, , , description, details] = JSON.parse(
      encodeCallError('ocpp2.0.1', 'm1', { code: 'GenericError', description: 'é'.repeat(300) })) as unknown[];
    expect(details).toEqual({});
    expect(description).toBe('é'.repeat(255));
  });
  it('writes a 2.1 CALLRESULTERROR as message type 5, read back as one, its description cut as a CALLERROR\'s', () => {
    const error = encodeCallResultError('r-1', { code: 'PropertyConstraintViolation', description: 'd'.repeat(300), details: { path: '/status' } });
    expect(parseFrame('ocpp2.1', error)).toEqual({ kind: 'frame', frame: { type: 'CALLRESULTERROR', messageId: 'r-1',
      errorCode: 'PropertyConstraintViolation', errorDescription: 'd'.repeat(255), errorDetails: { path: '/status' } } });
  });
});

describe('parseFrame properties', () => {
  const protocol = fc.constantFrom<OcppProtocol>(...ALL);
  const element = fc.oneof(fc.integer({ min: -1, max: 8 }), fc.string({ maxLength: 40 }), fc.jsonValue({ maxDepth: 2 }));
  const frameLike = fc.array(element, { maxLength: 6 }).map((a) => JSON.stringify(a));
  const anyText = fc.oneof(fc.string(), fc.json(), frameLike);

  it('never throws, and every reject carries a string message id', () => {
    fc.assert(fc.property(protocol, anyText, (p, raw) => {
      const outcome = parseFrame(p, raw);
      return outcome.kind !== 'reject' || typeof outcome.messageId === 'string';
    }), { numRuns: 2000 });
  });
  it('never answers a CALLRESULT, CALLERROR, CALLRESULTERROR or SEND, however malformed', () => {
    const reply = fc.tuple(fc.constantFrom(3, 4, 5, 6), fc.array(element, { maxLength: 5 }))
      .map(([type, rest]) => JSON.stringify([type, ...rest]));
    fc.assert(fc.property(protocol.filter((p) => p !== 'ocpp2.0.1'), reply, (p, raw) => parseFrame(p, raw).kind !== 'reject'));
    fc.assert(fc.property(reply.filter((raw) => raw.startsWith('[3') || raw.startsWith('[4')),
      (raw) => parseFrame('ocpp2.0.1', raw).kind !== 'reject'));
  });
});
