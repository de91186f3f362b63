/** Ids, times and the fake account the local stand-ins put into events, in the formats AWS uses. */
import { randomBytes } from 'node:crypto';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

/** Ids in AWS's style: 16 characters of base64 (connectionId, requestId, messageId look like `L0SM9cOFvHcCIhw=`). */
export const awsId = (): string => randomBytes(11).toString('base64');

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** API Gateway's `requestTime`, in the common log format, e.g. `09/Apr/2015:12:34:56 +0000`. */
export const requestTime = (d: Date): string =>
  `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
  `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;

/** Headers and query strings as API Gateway passes them: the last value of each, beside the multi-value map. */
export const lastValues = (multi: Readonly<Record<string, readonly string[]>>): Record<string, string> =>
  Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v.at(-1) ?? '']));
