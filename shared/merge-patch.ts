/**
 * JSON Merge Patch (RFC 7396): what an operator's PATCH means. A member set to `null` is removed, an object is
 * merged member by member, anything else replaces the target's value. Pure: returns a new value.
 */
type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

export const mergePatch = (target: Json, patch: Json): Json => {
  if (!isObject(patch)) return patch;
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else if (value !== undefined) result[key] = mergePatch(result[key], value);
  }
  return result;
};
