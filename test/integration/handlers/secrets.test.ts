/**
 * Secrets as the handlers read them: through the real SDK from the local Secrets Manager stand-in, which speaks
 * GetSecretValue/PutSecretValue as Secrets Manager does. Rotation: the previous value stays accepted.
 */
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretReader, SECRET_MAX_AGE_MS } from '#functions/_common/secrets.ts';
import { createCharger } from '#shared/charger/registry.ts';
import { localSecretsManager } from '../../../bin/local/secrets.ts';
import { lambdaContext, ORIGIN_SECRET, PASSWORD_PEPPER, startHarness, type Harness } from '../../support/handler-harness.ts';

const ORIGINAL = 'origin-value-original-0123456789';
const ROTATED = 'origin-value-rotated-9876543210';

let endpoint = '';
let client: SecretsManagerClient;
let sequence = 0;
const newSecret = async (value: string): Promise<string> => {
  const sm = await localSecretsManager();
  const id = `test/secrets-${++sequence}`;
  sm.define(id, value);
  return id;
};
const rotate = (secretId: string, value: string) => client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));

beforeAll(async () => {
  endpoint = (await localSecretsManager()).endpoint;
  client = new SecretsManagerClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

const readerFor = async (secretId: string, clock: { now: number }, onStale?: () => void) =>
  createSecretReader({
    env: { ORIGIN_VERIFY_SECRET_ID: secretId, AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' },
    now: () => clock.now,
    ...(onStale ? { onStale } : {}),
  });

describe('the secret reader', () => {
  it('reads the current value, and after a rotation and the cache age both current and previous', async () => {
    // Prepare
    const id = await newSecret(ORIGINAL);
    const clock = { now: 0 };
    const read = await readerFor(id, clock);
    // Act, Assess
    expect(await read('originVerify')).toEqual({ current: ORIGINAL });
    await rotate(id, ROTATED);
    expect(await read('originVerify')).toEqual({ current: ORIGINAL }); // cached: one read per container and age
    clock.now = SECRET_MAX_AGE_MS;
    expect(await read('originVerify')).toEqual({ current: ROTATED, previous: ORIGINAL });
  });

  it('keeps the last values when a refresh fails, and says so', async () => {
    const id = await newSecret(ORIGINAL);
    const clock = { now: 0 };
    const stale: string[] = [];
    const read = await readerFor(id, clock, () => stale.push('stale'));
    await read('originVerify');
    (await localSecretsManager()).define(id, 'short'); // below the secret's minimum length: the read fails
    clock.now = SECRET_MAX_AGE_MS;
    expect(await read('originVerify')).toEqual({ current: ORIGINAL });
    expect(stale).toEqual(['stale']);
  });

  it('fails a first read by name: no id variable, or no such secret', async () => {
    const read = createSecretReader({ env: {} });
    await expect(read('originVerify')).rejects.toThrow(/ORIGIN_VERIFY_SECRET_ID is not set: this function's route has no access to the originVerify secret/);
    const missing = await readerFor('test/no-such-secret', { now: 0 });
    await expect(missing('originVerify')).rejects.toThrow(/can't find the specified secret/);
  });
});

describe('the $connect authorizer during an origin secret rotation', () => {
  let h: Harness;
  let password = '';
  beforeAll(async () => {
    h = await startHarness();
    const created = await createCharger(h.deps, { chargerId: 'CP-ROT' });
    if (!created.created) throw new Error('setup');
    password = created.password;
  });
  afterAll(async () => h?.close());

  const effect = async (originSecret: string) => {
    const event = {
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:api/local/$connect',
      headers: {
        'X-Ocpp-Authorization': `Basic ${Buffer.from(`CP-ROT:${password}`).toString('base64')}`,
        'X-Origin-Verify': originSecret,
        'Sec-WebSocket-Protocol': 'ocpp1.6',
        'CloudFront-Forwarded-Proto': 'https',
      },
      queryStringParameters: { chargeBoxId: 'CP-ROT' },
      requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId: 'c-rot' },
    };
    const policy = (await h.handlers.authorize(event, lambdaContext('OcppAuthorizer'))) as { policyDocument: { Statement: { Effect: string }[] } };
    return policy.policyDocument.Statement[0]?.Effect;
  };

  it('accepts the value CloudFront still sends (AWSPREVIOUS) and the new one (AWSCURRENT), nothing else', async () => {
    // A container that reads a rotated secret (a new id: the reader caches per id), as after the cache age.
    const id = await newSecret(ORIGINAL);
    await rotate(id, ROTATED);
    process.env.ORIGIN_VERIFY_SECRET_ID = id;
    expect(await effect(ORIGINAL)).toBe('Allow');
    expect(await effect(ROTATED)).toBe('Allow');
    expect(await effect('origin-value-guessed-000000000000')).toBe('Deny');
  });
});

describe('the $connect authorizer during a password pepper rotation', () => {
  const NEXT = 'pepper-after-the-first-rotation-0123456789';
  const LATER = 'pepper-after-the-second-rotation-987654321';
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  /** What the authorizer answers `chargerId` with `password`: its policy's effect, or 401. */
  const attempt = async (chargerId: string, password: string): Promise<string> => {
    const event = {
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:api/local/$connect',
      headers: {
        'X-Ocpp-Authorization': `Basic ${Buffer.from(`${chargerId}:${password}`).toString('base64')}`,
        'X-Origin-Verify': ORIGIN_SECRET,
        'Sec-WebSocket-Protocol': 'ocpp1.6',
        'CloudFront-Forwarded-Proto': 'https',
      },
      queryStringParameters: { chargeBoxId: chargerId },
      requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId: `c-${chargerId}` },
    };
    try {
      const policy = (await h.handlers.authorize(event, lambdaContext('OcppAuthorizer'))) as { policyDocument: { Statement: { Effect: string }[] } };
      return policy.policyDocument.Statement[0]?.Effect ?? 'none';
    } catch (error) {
      if (error instanceof Error && error.message === 'Unauthorized') return '401';
      throw error;
    }
  };
  const register = async (chargerId: string, passwordPepper: string) => {
    const created = await createCharger({ ...h.deps, passwordPepper }, { chargerId });
    if (!created.created) throw new Error(`setup: ${chargerId}`);
    return created.password;
  };

  it('checks generated passwords hashed under the current or the previous pepper, not one rotated out twice', async () => {
    // Prepare: a charger whose hash was made before the rotation
    const before = await register('CP-PEPPER-OLD', PASSWORD_PEPPER);
    // Act: rotate (a container reading a new id, as after the cache age)
    const id = await newSecret(PASSWORD_PEPPER);
    await rotate(id, NEXT);
    process.env.PASSWORD_PEPPER_SECRET_ID = id;
    const after = await register('CP-PEPPER-NEW', NEXT);
    // Assess: both verify, a wrong password does not
    expect(await attempt('CP-PEPPER-OLD', before)).toBe('Allow');
    expect(await attempt('CP-PEPPER-NEW', after)).toBe('Allow');
    expect(await attempt('CP-PEPPER-OLD', after)).toBe('401');

    // A second rotation drops the first pepper: hashes made under it must have been rotated meanwhile.
    const later = await newSecret(NEXT);
    await rotate(later, LATER);
    process.env.PASSWORD_PEPPER_SECRET_ID = later;
    expect(await attempt('CP-PEPPER-NEW', after)).toBe('Allow');
    expect(await attempt('CP-PEPPER-OLD', before)).toBe('401');
  });
});
