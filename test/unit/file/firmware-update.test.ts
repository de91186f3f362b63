/**
 * Generated firmware locations without I/O: how long one lives (the retrieve window, at least 15 minutes, at most the
 * hour a role session is trusted for, and a retrieve date beyond that refused), which actions' schemas can carry one,
 * and the masking of presigned URLs wherever a payload names a location (commands as shown, the message log).
 */
import { describe, expect, it } from 'vitest';
import { locationLifetime, MAX_LOCATION_SECONDS, maxLocationLength, MIN_LOCATION_SECONDS } from '#shared/file/firmware-update.ts';
import { maskSignedUrl, redactFrame, redactPayload } from '#shared/log/redact.ts';

const NOW = new Date('2026-03-01T10:00:00.000Z');
const inMinutes = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const seconds = (retrieveAt: Date, retry = {}) => {
  const out = locationLifetime(NOW, retrieveAt, retry);
  return out.ok ? out.value.seconds : out.detail;
};

describe('locationLifetime', () => {
  it('lives from now to the retrieve date and the last retry, plus a quarter hour to start it', () => {
    expect(seconds(inMinutes(10))).toBe(25 * 60);
    expect(seconds(inMinutes(5), { retries: 2, retryInterval: 300 })).toBe(30 * 60);
    expect(locationLifetime(NOW, inMinutes(10))).toEqual({ ok: true, value: { seconds: 1500, expiresAt: '2026-03-01T10:25:00.000Z' } });
  });

  it('lives at least 15 minutes, also for a retrieve date in the past', () => {
    expect(seconds(NOW)).toBe(MIN_LOCATION_SECONDS);
    expect(seconds(inMinutes(-120))).toBe(MIN_LOCATION_SECONDS);
  });

  it('is capped at the hour: retries past it are left to fail with an expired URL', () => {
    expect(seconds(inMinutes(30), { retries: 10, retryInterval: 600 })).toBe(MAX_LOCATION_SECONDS);
    expect(seconds(inMinutes(45))).toBe(MAX_LOCATION_SECONDS);
  });

  it('refuses a retrieve date more than 45 minutes ahead, telling the operator to send it nearer the time', () => {
    const refused = locationLifetime(NOW, inMinutes(46));
    expect(refused).toMatchObject({ ok: false, reason: 'invalid' });
    expect(!refused.ok && refused.detail).toMatch(/46 minutes ahead.*at most 60 minutes.*at most 45 minutes ahead: send the command nearer the time/);
    expect(locationLifetime(NOW, inMinutes(24 * 60)).ok).toBe(false);
  });

  it('counts a negative or missing retry setting as none', () => {
    expect(seconds(inMinutes(10), { retries: -3, retryInterval: 600 })).toBe(25 * 60);
    expect(seconds(inMinutes(10), { retries: 3 })).toBe(25 * 60);
  });
});

describe('maxLocationLength', () => {
  it('is the schema’s: 512 for 2.0.1 and 1.6 SignedUpdateFirmware, 2000 for 2.1, none for 1.6 UpdateFirmware', () => {
    expect(maxLocationLength('ocpp2.0.1', 'UpdateFirmware')).toBe(512);
    expect(maxLocationLength('ocpp1.6', 'SignedUpdateFirmware')).toBe(512);
    expect(maxLocationLength('ocpp2.1', 'UpdateFirmware')).toBe(2000);
    expect(maxLocationLength('ocpp1.6', 'UpdateFirmware')).toBeUndefined();
  });
});

describe('masking presigned locations', () => {
  const url =
    'https://files.s3.eu-west-1.amazonaws.com/firmware/0b7c/fw.bin?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAEXAMPLE%2F20260301%2Feu-west-1%2Fs3%2Faws4_request' +
    '&X-Amz-Date=20260301T100000Z&X-Amz-Expires=900&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLE&X-Amz-Signature=0123abcd&X-Amz-SignedHeaders=host&x-id=GetObject';
  const masked =
    'https://files.s3.eu-west-1.amazonaws.com/firmware/0b7c/fw.bin?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***' +
    '&X-Amz-Date=20260301T100000Z&X-Amz-Expires=900&X-Amz-Security-Token=***&X-Amz-Signature=***&X-Amz-SignedHeaders=host&x-id=GetObject';

  it('masks the credential, session token and signature, and keeps the rest readable', () => {
    expect(maskSignedUrl(url)).toBe(masked);
    expect(maskSignedUrl('https://example.com/fw.bin?version=2')).toBe('https://example.com/fw.bin?version=2');
  });

  it('masks every location of a payload (1.6 at the top, 2.x in firmware, logs’ remoteLocation), and nothing else', () => {
    expect(redactPayload({ location: url, retrieveDate: '2026-03-01T10:00:00Z' })).toEqual({ location: masked, retrieveDate: '2026-03-01T10:00:00Z' });
    expect(redactPayload({ requestId: 7, firmware: { location: url, signature: 'c2ln' } })).toEqual({ requestId: 7, firmware: { location: masked, signature: 'c2ln' } });
    expect(redactPayload({ log: { remoteLocation: url } })).toEqual({ log: { remoteLocation: masked } });
    expect(redactPayload({ description: url })).toEqual({ description: url });
  });

  it('masks them in logged frames too', () => {
    const { frame } = redactFrame(JSON.stringify([2, 'm-1', 'UpdateFirmware', { location: url, retrieveDate: '2026-03-01T10:00:00Z' }]));
    expect(frame).not.toContain('0123abcd');
    expect(frame).not.toContain('ASIAEXAMPLE');
    expect(frame).toContain('X-Amz-Signature=***');
  });
});
