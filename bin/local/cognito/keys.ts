/**
 * The stand-in's RS256 signing key: generated on first start and kept in `<data dir>/cognito/signing-key.json`
 * (readable by its owner only), so tokens issued before a restart still verify; per runtime with `--in-memory`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  /** The public half as the JWKS serves it. */
  readonly publicJwk: JWK;
}

const ALG = 'RS256';

const fromPrivateJwk = async (jwk: JWK): Promise<SigningKey> => {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  const kid = jwk.kid ?? (await calculateJwkThumbprint(pub));
  return {
    kid,
    privateKey: (await importJWK({ ...jwk, alg: ALG }, ALG)) as CryptoKey,
    publicJwk: { kty: pub.kty, n: pub.n, e: pub.e, kid, alg: ALG, use: 'sig' },
  };
};

const generate = async (): Promise<JWK> => {
  const { privateKey } = await generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  return { ...jwk, kid: await calculateJwkThumbprint(pub) };
};

/** The key kept in `dir` (created there on first use), or a fresh one when `dir` is undefined. */
export const loadSigningKey = async (dir: string | undefined): Promise<SigningKey> => {
  if (!dir) return fromPrivateJwk(await generate());
  const file = join(dir, 'signing-key.json');
  try {
    return await fromPrivateJwk(JSON.parse(readFileSync(file, 'utf8')) as JWK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const jwk = await generate();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(jwk)}\n`, { mode: 0o600 });
  return fromPrivateJwk(jwk);
};
