/**
 * An UpdateItem that sets some attributes and removes others, every name and value a placeholder (`#s0`/`:s0`,
 * `#r0`): attributes an update does not name stay as they are, which is how two writers share one item.
 */
export interface SetRemove {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * Sets every defined value of `set`; removes `remove` and the attributes `set` leaves undefined; sets each of
 * `ifAbsent` only where the item has no value for it yet (`if_not_exists`: a creation time, a first sort key).
 */
export const setRemove = (
  set: Readonly<Record<string, unknown>>,
  remove: readonly string[] = [],
  ifAbsent: Readonly<Record<string, unknown>> = {},
): SetRemove => {
  const assigned = Object.entries(set).filter(([, v]) => v !== undefined);
  const removed = [...new Set([...remove, ...Object.entries(set).filter(([, v]) => v === undefined).map(([k]) => k)])];
  const kept = Object.entries(ifAbsent).filter(([, v]) => v !== undefined);
  const sets = [...assigned.map((_, i) => `#s${i} = :s${i}`), ...kept.map((_, i) => `#i${i} = if_not_exists(#i${i}, :i${i})`)];
  return {
    UpdateExpression: `SET ${sets.join(', ')}` + (removed.length > 0 ? ` REMOVE ${removed.map((_, i) => `#r${i}`).join(', ')}` : ''),
    ExpressionAttributeNames: {
      ...Object.fromEntries(assigned.map(([k], i) => [`#s${i}`, k])),
      ...Object.fromEntries(kept.map(([k], i) => [`#i${i}`, k])),
      ...Object.fromEntries(removed.map((k, i) => [`#r${i}`, k])),
    },
    ExpressionAttributeValues: {
      ...Object.fromEntries(assigned.map(([, v], i) => [`:s${i}`, v])),
      ...Object.fromEntries(kept.map(([, v], i) => [`:i${i}`, v])),
    },
  };
};
