// Counts crypto.subtle calls by method while a function runs, by shadowing the methods on the
// `crypto.subtle` instance (own properties over the prototype's), then removing the shadows.

const METHODS = ["importKey", "deriveBits", "deriveKey", "sign", "verify", "digest", "exportKey"] as const;

/**
 * Runs `fn` and counts the `crypto.subtle` calls it makes.
 *
 * @param fn the code to observe
 * @returns calls per method name (methods not called are left out)
 */
export async function countSubtleCalls(fn: () => Promise<unknown>): Promise<Record<string, number>> {
  const subtle = crypto.subtle as unknown as Record<string, (...args: unknown[]) => unknown>;
  const counts: Record<string, number> = {};
  for (const method of METHODS) {
    const original = subtle[method];
    Object.defineProperty(subtle, method, {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => {
        counts[method] = (counts[method] ?? 0) + 1;
        return original.apply(crypto.subtle, args);
      },
    });
  }
  try {
    await fn();
  } finally {
    for (const method of METHODS) delete subtle[method];
  }
  return counts;
}
