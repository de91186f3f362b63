// Declarations for build-schemas.mjs, for the TypeScript tests that import it.
import type { MessageSchema, TypeSource } from './schema-types.mjs';

export interface PreparedProtocol {
  /** The generated module's name: `ocpp16`, `ocpp201`, `ocpp21`. */
  module: string;
  label: string;
  prefix: string;
  directions: TypeSource['directions'];
  prepared: { schemas: MessageSchema[]; defs?: Record<string, Record<string, unknown>> };
  /** Non-keywords dropped from the schemas. */
  ignored: string[];
}
export declare function prepareProtocols(): Promise<PreparedProtocol[]>;
