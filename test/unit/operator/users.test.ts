import { describe, expect, it } from 'vitest';
import { GENERATED_PASSWORD_LENGTH, generatePassword } from '#shared/operator/users.ts';
import { policyViolation } from '../../../bin/local/cognito/pool.ts';
import { restClaims } from '../../../bin/local/gateway/cognito-authorizer.ts';

describe('generated operator passwords', () => {
  it('meet the pool’s policy every time, and differ', () => {
    const passwords = Array.from({ length: 500 }, generatePassword);
    for (const p of passwords) {
      expect(p).toHaveLength(GENERATED_PASSWORD_LENGTH);
      expect(policyViolation(p)).toBeUndefined();
      expect(p).not.toMatch(/['"\\$`!\s]/); // pastes into a shell's single quotes and into JSON unchanged
    }
    expect(new Set(passwords).size).toBe(passwords.length);
  });
});

describe('claims as a REST API integration receives them', () => {
  it('are strings: groups comma-separated, exp and iat as dates, other numbers in decimal', () => {
    expect(restClaims({ sub: 's', 'cognito:groups': ['admin', 'viewer'], exp: 1469814773, iat: 1469811173, auth_time: 1469811173, version: 2 })).toEqual({
      sub: 's',
      'cognito:groups': 'admin,viewer',
      exp: 'Fri Jul 29 17:52:53 UTC 2016',
      iat: 'Fri Jul 29 16:52:53 UTC 2016',
      auth_time: '1469811173',
      version: '2',
    });
  });
});
