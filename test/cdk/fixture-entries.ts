/**
 * The fixture entries CDK tests bundle instead of the real handlers (fast, and each proves the package aliases
 * resolve). A route without a fixture of its own (the REST routes) is served by the generic `kinds/http.ts`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { RouteDef } from '../../functions/routes.ts';

export const FIXTURES = path.join(import.meta.dirname, 'fixtures', 'functions');

export const withFixtureEntries = (routes: readonly RouteDef[]): RouteDef[] =>
  routes.map((r) => (existsSync(path.join(FIXTURES, r.entry)) ? r : { ...r, entry: 'kinds/http.ts' }));
