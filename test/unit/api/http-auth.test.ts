import { describe, expect, it } from 'vitest';
import { admits, machineScopesOf, methodScopesOf, principalOf } from '#functions/_routes/http-auth.ts';
import { etagOf, ifMatchAdmits } from '#shared/api/etag.ts';

const read = { auth: { type: 'jwt', roles: ['admin', 'operator', 'viewer'] } } as const;
const write = { auth: { type: 'jwt', roles: ['admin', 'operator'] } } as const;
const adminOnly = { auth: { type: 'jwt', roles: ['admin'] } } as const;

describe('callers from Cognito authorizer claims', () => {
  it('reads a person: groups comma-separated (REST API) or bracketed (HTTP API), unknown groups dropped', () => {
    expect(principalOf({ sub: 's1', username: 'alice', 'cognito:groups': 'admin,operator', scope: 'aws.cognito.signin.user.admin' })).toEqual({
      kind: 'person',
      sub: 's1',
      username: 'alice',
      roles: ['admin', 'operator'],
      scopes: ['aws.cognito.signin.user.admin'],
    });
    expect(principalOf({ sub: 's2', username: 'bob', 'cognito:groups': '[viewer root]' })).toMatchObject({ roles: ['viewer'] });
    expect(principalOf({ sub: 's3', username: 'carl' })).toMatchObject({ kind: 'person', roles: [] });
  });

  it('reads a machine client (no user) by its scopes', () => {
    expect(principalOf({ sub: 'abc', client_id: 'abc', scope: 'csms/read csms/write' })).toEqual({ kind: 'machine', sub: 'abc', clientId: 'abc', scopes: ['csms/read', 'csms/write'] });
    expect(principalOf(undefined)).toBeUndefined();
    expect(principalOf({ username: 'nosub' })).toBeUndefined();
  });

  it('admits by role for people and by scope for machines; no scope reaches an admin-only route', () => {
    const viewer = principalOf({ sub: 'v', username: 'v', 'cognito:groups': 'viewer' });
    const reader = principalOf({ sub: 'm', scope: 'csms/read' });
    const writer = principalOf({ sub: 'w', scope: 'csms/write' });
    expect([admits(read, viewer), admits(write, viewer), admits(read, reader), admits(write, reader), admits(write, writer), admits(adminOnly, writer)]).toEqual([
      true,
      false,
      true,
      false,
      true,
      false,
    ]);
    expect(admits({ auth: { type: 'none' } }, undefined)).toBe(true);
    expect(admits(read, undefined)).toBe(false);
  });

  it('declares per method the scopes API Gateway checks: the people scope, plus the machine scopes the roles allow', () => {
    expect(methodScopesOf(read)).toEqual(['aws.cognito.signin.user.admin', 'csms/read', 'csms/write']);
    expect(methodScopesOf(write)).toEqual(['aws.cognito.signin.user.admin', 'csms/write']);
    expect(methodScopesOf(adminOnly)).toEqual(['aws.cognito.signin.user.admin']);
    expect(machineScopesOf({ auth: { type: 'none' } })).toEqual([]);
  });
});

describe('entity tags', () => {
  it('are equal for equal representations whatever the key order, and differ otherwise', () => {
    expect(etagOf({ a: 1, b: { c: [1, 2] } })).toBe(etagOf({ b: { c: [1, 2] }, a: 1 }));
    expect(etagOf({ a: 1 })).not.toBe(etagOf({ a: 2 }));
    expect(etagOf({ a: 1, b: undefined })).toBe(etagOf({ a: 1 }));
  });

  it('admit an If-Match listing the current tag or *, compared strongly', () => {
    const rep = { id: 'x' };
    expect(ifMatchAdmits(etagOf(rep), rep)).toBe(true);
    expect(ifMatchAdmits(`"other", ${etagOf(rep)}`, rep)).toBe(true);
    expect(ifMatchAdmits(`W/${etagOf(rep)}`, rep)).toBe(false);
    expect(ifMatchAdmits('*', rep)).toBe(true);
    expect(ifMatchAdmits('"other"', rep)).toBe(false);
  });
});
