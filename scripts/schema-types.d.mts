// Declarations for schema-types.mjs, for the TypeScript tests that import it.
export interface MessageSchema {
  name: string;
  schema: Record<string, unknown>;
}
export interface TypeSource {
  /** The version as the subprotocol names it, e.g. `ocpp2.0.1` (used in comments and errors). */
  label: string;
  /** Of the map types: `Ocpp201` → `Ocpp201Actions`. */
  prefix: string;
  schemas: readonly MessageSchema[];
  defs?: Record<string, Record<string, unknown>>;
  directions: { charger: readonly string[]; csms: readonly string[] };
}
export declare function emitTypes(source: TypeSource): string;
export declare function nameDefinitions(defNames: Iterable<string>, taken: Iterable<string>): Map<string, string>;
