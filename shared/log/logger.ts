/** The logging port the domain writes to; Powertools' Logger satisfies it, tests pass a recorder. */
export interface Log {
  debug(message: string, ...extra: object[]): void;
  info(message: string, ...extra: object[]): void;
  warn(message: string, ...extra: object[]): void;
  error(message: string, ...extra: object[]): void;
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
