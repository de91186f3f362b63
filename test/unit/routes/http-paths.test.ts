import { describe, expect, it } from 'vitest';
import { findPathRoute, isResourcePath } from '#functions/_routes/http-paths.ts';

const routes = [
  { id: 'one', method: 'GET', path: '/chargers/{chargerId}' },
  { id: 'active', method: 'GET', path: '/chargers/active' },
  { id: 'reset', method: 'POST', path: '/chargers/{chargerId}/reset' },
  { id: 'list', method: 'GET', path: '/chargers' },
];

describe('REST resource paths', () => {
  it('matches segment by segment and decodes path parameters', () => {
    expect(findPathRoute(routes, 'GET', '/chargers/CP%201')).toEqual({ route: routes[0], pathParameters: { chargerId: 'CP 1' } });
    expect(findPathRoute(routes, 'POST', '/chargers/CP-1/reset')?.route.id).toBe('reset');
    expect(findPathRoute(routes, 'GET', '/chargers/')?.route.id).toBe('list');
  });

  it('prefers a literal segment over a parameter', () => {
    expect(findPathRoute(routes, 'GET', '/chargers/active')?.route.id).toBe('active');
  });

  it('finds nothing for another method, a longer path or a parameter spanning segments', () => {
    expect(findPathRoute(routes, 'DELETE', '/chargers/CP-1')).toBeUndefined();
    expect(findPathRoute(routes, 'GET', '/chargers/CP-1/reset')).toBeUndefined();
    expect(findPathRoute(routes, 'GET', '/chargers/a/b')).toBeUndefined();
  });

  it('accepts literal and {name} segments only', () => {
    expect(isResourcePath('/chargers/{chargerId}/reset')).toBe(true);
    expect(isResourcePath('chargers')).toBe(false);
    expect(isResourcePath('/chargers/{proxy+}')).toBe(false);
    expect(isResourcePath('/chargers/{id}x')).toBe(false);
  });
});
