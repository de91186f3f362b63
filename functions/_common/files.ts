/** The container's dependencies with the files bucket (file-objects.ts): what the handlers that touch it use. */
import type { Deps } from '#shared/deps.ts';
import { withFileObjects } from './file-objects.ts';
import { deps } from './runtime.ts';

export const depsWithFiles: Deps = withFileObjects(deps);
