/** The lint of `npm test` (eslint.config.js) refuses every way a rejection can go unhandled (issue 8, item 0). */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/unobserved-promises.ts', import.meta.url));
// A program of the fixture alone: type-aware linting of the whole project would take half a minute.
const project = fileURLToPath(new URL('./fixtures/tsconfig.json', import.meta.url));

it('reports each unobserved promise and nothing else', async () => {
  // The fixtures are in the config's ignores, so `npm run lint` stays clean; here they are linted on purpose,
  // with the rules of product code.
  const eslint = new ESLint({
    ignore: false,
    overrideConfig: {
      files: ['**/*.ts'],
      languageOptions: { parserOptions: { projectService: false, project } },
      rules: { 'local/no-promise-held-across-await': 'error' },
    },
  });
  const [result] = await eslint.lintFiles([fixture]);
  const found = result!.messages.map((m) => `${m.line} ${m.ruleId}`);
  expect(found).toEqual([
    '8 local/no-promise-held-across-await',
    '14 @typescript-eslint/no-floating-promises',
    '18 @typescript-eslint/no-floating-promises',
    '22 @typescript-eslint/no-misused-promises',
    '27 @typescript-eslint/return-await',
  ]);
});
