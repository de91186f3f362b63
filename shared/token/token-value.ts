/**
 * Id token values are case-insensitive (1.6 idTag is a CiString20; 2.x IdTokenType: "IdToken is case insensitive"):
 * `04A2B3C4` and `04a2b3c4` are one card, whichever case a reader's firmware sends. Records keep the value as it was
 * registered; keys and comparisons use the canonical form.
 */

/**
 * ASCII letters upper-cased, nothing else changed: most values on record are upper-case hex, so their keys stay as they
 * were. Not `toUpperCase()`, which is Unicode-aware (`ß` becomes `SS`) and would fold values OCPP does not.
 */
export const canonicalTokenValue = (value: string): string => value.replace(/[a-z]+/g, (letters) => letters.toUpperCase());

export const sameTokenValue = (a: string, b: string): boolean => canonicalTokenValue(a) === canonicalTokenValue(b);
