// Lint for one class of bug only: promises nobody waits for. A rejection no one handles ends a Node process
// (`npm start`) or fails a Lambda invocation; a promise passed where a plain callback is expected loses its
// failure silently. Style and formatting are not linted here. Type-aware, so it reads tsconfig.json.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import noPromiseHeldAcrossAwait from './eslint/no-promise-held-across-await.js';

export default defineConfig(
  { ignores: ['node_modules/**', 'cdk.out/**', '.local/**', 'shared/ocpp/generated/**', 'localstack/**', 'test/unit/lint/fixtures/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, local: { rules: { 'no-promise-held-across-await': noPromiseHeldAcrossAwait } } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise that is neither awaited, returned, nor given a rejection handler. `void p` does not count as
      // handled: it only hides the promise, and its rejection still ends the process.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      // An async function where a void callback is expected (an event listener, forEach, setTimeout): nobody
      // receives its promise, so its failure is unhandled.
      '@typescript-eslint/no-misused-promises': 'error',
      // `return p` inside try/catch skips the catch: the failure escapes the code written to handle it.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // Awaiting what is not a promise is a sign the code waits for something it does not.
      '@typescript-eslint/await-thenable': 'error',
      // An async executor's throw is lost: the promise never settles.
      'no-async-promise-executor': 'error',
    },
  },
  {
    // A promise kept in a variable while something else is awaited (eslint/no-promise-held-across-await.js).
    // Not in tests, where "start waiting for an event, act, await the event" is the idiom, and a rejection
    // fails the test anyway.
    files: ['bin/**/*.ts', 'lib/**/*.ts', 'functions/**/*.ts', 'shared/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'local/no-promise-held-across-await': 'error' },
  },
);
