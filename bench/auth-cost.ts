/**
 * What one `$connect` authorizer decision costs, by password scheme: CPU of this process (what Lambda bills) and
 * wall time per attempt, including the charger read on DynamoDB Local. "Before" item 1 of issue 8 every check was
 * scrypt, a refused unknown id included (its decoy); now a CSMS-generated password is checked with one HMAC, and
 * so is an unknown id (shared/charger/credentials.ts `decoyCheck`).
 */
import { decideUpgrade } from '#shared/charger/connection.ts';
import { createCharger } from '#shared/charger/registry.ts';
import type { Deps } from '#shared/deps.ts';

export interface AuthCost {
  attempt: string;
  outcome: string;
  cpuMsPerAttempt: number;
  wallMsPerAttempt: number;
}

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

export const measureAuthCost = async (deps: Deps, originSecret: string, rounds: number): Promise<AuthCost[]> => {
  const generated = await createCharger(deps, { chargerId: 'AUTH-HMAC' });
  const chosenPassword = 'a-password-a-charger-chose';
  const chosen = await createCharger(deps, { chargerId: 'AUTH-SCRYPT', password: chosenPassword });
  if (!generated.created || !chosen.created) throw new Error('bench: could not register the auth probes');
  const policy = { originSecrets: [originSecret], autoRegister: false };
  const attempts: [string, string, string][] = [
    ['connect, generated password (HMAC-SHA-256)', 'AUTH-HMAC', generated.password],
    ['connect, chosen password (scrypt; every connect before)', 'AUTH-SCRYPT', chosenPassword],
    ['refused: wrong password for a generated one', 'AUTH-HMAC', 'x'.repeat(32)],
    ['refused: unknown id (decoy; scrypt before)', 'AUTH-NOBODY', 'some-guessed-password'],
  ];
  const results: AuthCost[] = [];
  for (const [attempt, id, password] of attempts) {
    const request = { chargerId: id, authorization: basic(id, password), originSecret, offeredProtocols: 'ocpp1.6', viewerProtocol: 'https' };
    const outcome = (await decideUpgrade(deps, policy, request)).outcome; // warm
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < rounds; i++) await decideUpgrade(deps, policy, request);
    const wall = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const round = (ms: number) => Math.round((ms / rounds) * 100) / 100;
    results.push({ attempt, outcome, cpuMsPerAttempt: round((used.user + used.system) / 1000), wallMsPerAttempt: round(wall) });
  }
  return results;
};

export const formatAuthCost = (rows: readonly AuthCost[]): string[] => [
  '| attempt | outcome | CPU ms / attempt | wall ms / attempt (with the charger read) |',
  '|---|---|---|---|',
  ...rows.map((r) => `| ${r.attempt} | ${r.outcome} | ${r.cpuMsPerAttempt} | ${r.wallMsPerAttempt} |`),
];
