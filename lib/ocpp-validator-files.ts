/**
 * The compiled OCPP validators ship beside a function's bundle, not inside it, so `shared/ocpp/validate.ts`
 * can import only the versions a container needs. Used by the CDK bundling (lib/route-function.ts) and by the
 * benchmark's copy of it (bench/cold-start.ts), so the two package them the same way. No CDK imports here.
 */
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** esbuild leaves imports matching this path out of the bundle (validate.ts imports `./generated/<version>.js`). */
export const VALIDATORS_EXTERNAL = './generated/*';
const SOURCE_DIR = 'shared/ocpp/generated';
const TARGET_DIR = 'generated';
// The generated files are ES modules with a .js name; Node reads them as such only under "type": "module".
const PACKAGE_JSON = '{"type":"module"}';

/** Shell commands for CDK's afterBundling hook. */
export const validatorCopyCommands = (inputDir: string, outputDir: string): string[] => [
  `mkdir -p "${outputDir}/${TARGET_DIR}"`,
  `cp "${inputDir}/${SOURCE_DIR}/"*.js "${outputDir}/${TARGET_DIR}/"`,
  `echo '${PACKAGE_JSON}' > "${outputDir}/${TARGET_DIR}/package.json"`,
];

/** The same, done in-process (for the benchmark's bundles). */
export const copyValidatorFiles = (projectRoot: string, outputDir: string): void => {
  const target = path.join(outputDir, TARGET_DIR);
  mkdirSync(target, { recursive: true });
  for (const file of readdirSync(path.join(projectRoot, SOURCE_DIR)).filter((f) => f.endsWith('.js'))) {
    cpSync(path.join(projectRoot, SOURCE_DIR, file), path.join(target, file));
  }
  writeFileSync(path.join(target, 'package.json'), PACKAGE_JSON);
};
