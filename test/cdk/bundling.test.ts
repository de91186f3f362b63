import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes, type RouteDef } from '../../functions/routes.ts';
import { FIXTURES, withFixtureEntries } from './fixture-entries.ts';
import { synthStack } from './support.ts';


/** index.mjs of every Lambda asset in the synthesized assembly. */
function bundles(outdir: string): string[] {
  return readdirSync(outdir)
    .filter((d) => d.startsWith('asset.'))
    .map((d) => path.join(outdir, d, 'index.mjs'))
    .map((file) => readFileSync(file, 'utf8'));
}

/** Routes sharing an entry share one asset (same content, same hash), unless one ships the validators beside. */
const assetsOf = (r: RouteDef) => `${r.entry}${'ocppValidators' in r && r.ocppValidators ? ' + validators' : ''}`;

describe('esbuild bundling of route entries', () => {
  let outdir: string;
  beforeAll(() => {
    // Fixture entries import through #functions/* and #shared/*; esbuild must resolve both from package.json.
    outdir = synthStack({ bundle: true, functionsDir: FIXTURES, routes: withFixtureEntries(routes) }).app.synth().directory;
  });

  it('bundles one ESM file per route with the aliased modules inlined', () => {
    const code = bundles(outdir);
    expect(code).toHaveLength(new Set(withFixtureEntries(routes).map(assetsOf)).size);
    for (const js of code) {
      expect(js).not.toMatch(/#shared\/|#functions\//);
      expect(js).toContain('MESSAGE_LOG_TABLE'); // from #shared/store/tables.ts
      expect(js).toContain('OcppAuthorizer'); // from #functions/routes.ts
      expect(js).toMatch(/export\s*\{/);
    }
  });

  it('bundles the real route entries, with the OCPP validators beside the bundle of the routes that validate', () => {
    // The real handlers pull in the OCPP codec, the SDK and Powertools; this fails on any unresolvable import.
    const real = synthStack({ bundle: true }).app.synth().directory;
    // The two releases of held commands share an entry, and so an asset.
    expect(bundles(real)).toHaveLength(new Set(routes.map(assetsOf)).size);
    const assets = readdirSync(real).filter((d) => d.startsWith('asset.'));
    const withValidators = assets.filter((d) => readdirSync(path.join(real, d)).includes('generated'));
    expect(withValidators).toHaveLength(routes.filter((r) => 'ocppValidators' in r && r.ocppValidators).length);
    for (const d of withValidators) {
      const dir = path.join(real, d);
      expect(readdirSync(path.join(dir, 'generated')).sort()).toEqual(['ocpp16.js', 'ocpp201.js', 'ocpp21.js', 'package.json', 'runtime.js']);
      const bundle = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      // Imported at run time, per version, from the files beside the bundle; not inlined.
      expect(bundle).toContain('./generated/ocpp21.js');
      // The generated payload types (<version>.types.ts) are imported as types only: erased, never loaded.
      expect(bundle).not.toMatch(/ocpp\d+\.types/);
    }
    // A function that validates OCPP payloads without declaring `ocppValidators` gets all three versions' validators
    // (some 1.2 MB) inlined, parsed at every cold start. The others are the SDK, Powertools (the tracer and X-Ray
    // ~125 KB), zod and our code: 600–800 KB.
    const oversized = assets
      .map((d) => readFileSync(path.join(real, d, 'index.mjs'), 'utf8'))
      .filter((bundle) => bundle.length >= 1_000_000)
      .map((bundle) => `${bundle.length} characters: validators inlined? (declare ocppValidators on its route)`);
    expect(oversized).toEqual([]);
  }, 300_000); // one esbuild per route (~100 s on two cores with nothing else running): room for a busy machine
});
