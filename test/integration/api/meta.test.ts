import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthRoute, openApiRoute } from '#functions/api/meta/routes.ts';
import { isHttpRoute, type RouteDef, routes as table } from '#functions/routes.ts';

const routes: readonly RouteDef[] = table;
import { type ApiHarness, startApiHarness } from '../../support/api-harness.ts';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApiHarness();
});
afterAll(async () => api?.close());

describe('routes about the API', () => {
  it('are the only REST routes open without a token', () => {
    expect(routes.filter(isHttpRoute).filter((r) => r.auth.type === 'none').map((r) => r.path).sort()).toEqual(['/health', '/openapi.json']);
  });

  it('answers the health check without a token', async () => {
    expect(await api.call(healthRoute, { claims: null })).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('serves an OpenAPI 3.1 document that validates and names every REST route once', async () => {
    const res = await api.call(openApiRoute, { claims: null });
    expect(res.status).toBe(200);
    const validator = new Validator();
    const result = await validator.validate(res.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    const operations = Object.values(res.body.paths as Record<string, Record<string, { operationId: string }>>).flatMap((m) => Object.values(m).map((o) => o.operationId));
    expect(operations.sort()).toEqual(routes.filter(isHttpRoute).map((r) => r.id).sort());
    expect(res.body.servers).toEqual([{ url: 'http://127.0.0.1/test' }]);
  });

  it('declares the security of every jwt route: people by bearer token, machines by scope', async () => {
    const doc = (await api.call(openApiRoute, { claims: null })).body as { paths: Record<string, Record<string, { security: unknown[]; 'x-roles'?: string[] }>> };
    for (const route of routes.filter(isHttpRoute)) {
      const op = doc.paths[route.path]?.[route.method.toLowerCase()];
      if (route.auth.type === 'none') expect(op?.security, route.id).toEqual([]);
      else {
        expect(op?.security[0], route.id).toEqual({ people: ['aws.cognito.signin.user.admin'] });
        expect(op?.['x-roles'], route.id).toEqual([...route.auth.roles]);
      }
    }
  });
});
