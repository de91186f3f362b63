/** The user pool the users routes work on: one client per container, from USER_POOL_ID. */
import { userDirectoryFromEnv } from '#shared/store/user-directory.ts';

export const directory = userDirectoryFromEnv();
