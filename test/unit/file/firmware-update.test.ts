/**
 * Generated firmware locations without I/O: how long one lives (the retrieve window and its retries, at least 15
 * minutes, at most a week, and a retrieve date beyond that refused), its shape and length against each action's schema,
 * and the masking of its token (and of presigned URLs) wherever a payload names a location (commands as shown, the
 * message log).
 */
import { describe, expect, it } from 'vitest';
import { FIRMWARE_DOWNLOAD_SEGMENT, firmwareDownloadLocation, isDownloadRequest, issueDownloadToken } from '#shared/file/firmware-download.ts';
import { locationLifetime, MAX_LOCATION_SECONDS, maxLocationLength, MIN_LOCATION_SECONDS } from '#shared/file/firmware-update.ts';
import { hashUploadToken, newUploadToken } from '#shared/file/upload-token.ts';
import { maskLocation, maskSignedUrl, redactFrame, redactPayload } from '#shared/log/redact.ts';

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

  it('lives days when the retrieve date or the retries are days ahead (no signing session limits it)', () => {
    expect(seconds(inMinutes(24 * 60))).toBe(24 * 3600 + 15 * 60);
    expect(seconds(inMinutes(60), { retries: 5, retryInterval: 3600 })).toBe(6 * 3600 + 15 * 60);
  });

  it('is capped at a week: retries past it are left to fail with an expired location', () => {
    expect(MAX_LOCATION_SECONDS).toBe(7 * 86_400);
    expect(seconds(inMinutes(6 * 24 * 60), { retries: 10, retryInterval: 86_400 })).toBe(MAX_LOCATION_SECONDS);
    expect(seconds(inMinutes(7 * 24 * 60 - 15))).toBe(MAX_LOCATION_SECONDS);
  });

  it('refuses a retrieve date so far ahead that the location would die before the charger starts', () => {
    const refused = locationLifetime(NOW, inMinutes(7 * 24 * 60 - 14));
    expect(refused).toMatchObject({ ok: false, reason: 'invalid' });
    expect(!refused.ok && refused.detail).toMatch(/168 hours ahead.*at most 7 days.*send the command nearer the time/);
    expect(locationLifetime(NOW, inMinutes(30 * 24 * 60)).ok).toBe(false);
  });

  it('counts a negative or missing retry setting as none', () => {
    expect(seconds(inMinutes(10), { retries: -3, retryInterval: 600 })).toBe(25 * 60);
    expect(seconds(inMinutes(10), { retries: 3 })).toBe(25 * 60);
  });
});

describe('locationLifetime of a held command', () => {
  it('gives a command held for an offline charger the longest life, whatever its retrieve date', () => {
    const week = { seconds: MAX_LOCATION_SECONDS, expiresAt: new Date(NOW.getTime() + MAX_LOCATION_SECONDS * 1000).toISOString() };
    expect(locationLifetime(NOW, NOW, {}, 'hold')).toEqual({ ok: true, value: week });
    expect(locationLifetime(NOW, inMinutes(60), { retries: 3, retryInterval: 60 }, 'hold')).toEqual({ ok: true, value: week });
    expect(locationLifetime(NOW, NOW, {}, 'fail')).toMatchObject({ ok: true, value: { seconds: MIN_LOCATION_SECONDS } });
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

describe('the generated download location', () => {
  const grant = { chargerId: 'CP-1', commandId: 'c-1', fileId: '0b7c9a2e-1111-4222-8333-444455556666', s3Key: 'firmware/0b7c/fw.bin', name: 'fw.bin' };

  it('is the file endpoint, /firmware/, the token and the image name percent-encoded', () => {
    const token = newUploadToken();
    expect(firmwareDownloadLocation('https://abc.lambda-url.eu-west-1.on.aws/', token, 'fw 2.4 #1.bin')).toBe(
      `https://abc.lambda-url.eu-west-1.on.aws/${FIRMWARE_DOWNLOAD_SEGMENT}/${token}/fw%202.4%20%231.bin`,
    );
  });

  it('fits the 512 characters of 2.0.1 and 1.6 SignedUpdateFirmware with a function URL host and a long name', () => {
    const location = firmwareDownloadLocation('https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-central-1.on.aws', newUploadToken(), 'x'.repeat(200));
    expect(location.length).toBeLessThan(maxLocationLength('ocpp2.0.1', 'UpdateFirmware')!);
    expect(location.length).toBeLessThan(400);
  });

  it('carries a fresh token each time, whose hash only is to be stored, with the grant and the expiry', () => {
    const one = issueDownloadToken(grant, '2026-03-01T11:00:00.000Z');
    const two = issueDownloadToken(grant, '2026-03-01T11:00:00.000Z');
    expect(one.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(one.token).not.toBe(two.token);
    expect(one.tokenHash).toBe(hashUploadToken(one.token));
    expect(one.stored).toEqual({ ...grant, expiresAt: '2026-03-01T11:00:00.000Z' });
    expect(JSON.stringify(one.stored)).not.toContain(one.token);
  });

  it('is masked wherever it is shown or logged: the token, not the host or the name', () => {
    const token = newUploadToken();
    const location = firmwareDownloadLocation('https://files.example.com', token, 'fw.bin');
    expect(maskLocation(location)).toBe('https://files.example.com/firmware/***/fw.bin');
    expect(JSON.stringify(redactPayload({ requestId: 1, firmware: { location, retrieveDateTime: '2026-03-01T10:00:00Z' } }))).not.toContain(token);
    expect(redactFrame(JSON.stringify([2, 'm-1', 'UpdateFirmware', { location, retrieveDate: '2026-03-01T10:00:00Z' }])).frame).not.toContain(token);
  });

  it('is reached by GET and HEAD of /firmware/… only: other methods there are an upload’s (a charger may be named `firmware`)', () => {
    expect(isDownloadRequest({ method: 'GET', segments: ['firmware', 'tok', 'fw.bin'] })).toBe(true);
    expect(isDownloadRequest({ method: 'HEAD', segments: ['firmware', 'tok'] })).toBe(true);
    expect(isDownloadRequest({ method: 'PUT', segments: ['firmware', 'tok'] })).toBe(false);
    expect(isDownloadRequest({ method: 'GET', segments: ['CP-1', 'tok'] })).toBe(false);
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
