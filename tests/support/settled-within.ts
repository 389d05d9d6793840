// For tests of "settles on time": fails the test (instead of leaving it pending, or the runner hanging)
// when the attempt has not settled after `ms`. Its timer also holds the event loop open, which Node's
// AbortSignal.timeout does not.

/**
 * `attempt`, or a rejection naming `what` when it has not settled after `ms` milliseconds.
 * @param ms how long to wait at most
 * @param what the call, for the message
 * @param attempt the promise under test
 * @returns what `attempt` settles with
 */
export async function settledWithin<T>(ms: number, what: string, attempt: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} had not settled after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([attempt, guard]);
  } finally {
    clearTimeout(timer);
  }
}
