/**
 * At most `limit` tasks at once, the rest in arrival order. A finished task hands its slot straight to the next
 * waiter, so a later caller cannot overtake one that waits.
 */
export const boundedRunner = (limit: number) => {
  let running = 0;
  const waiting: (() => void)[] = [];
  return {
    run: async <T>(task: () => Promise<T>): Promise<T> => {
      if (running < limit) running += 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await task();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else running -= 1;
      }
    },
    /** Tasks running or waiting now. */
    pending: (): number => running + waiting.length,
  };
};
