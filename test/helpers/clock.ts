/**
 * Runs `work` with `Date.now()` frozen at `at` — the server's clock too, since test servers run in this process.
 * `new Date()` and timers keep the real time; code that reads the time through `Date.now()` sees `at`.
 */
export async function atClock<T>(at: number, work: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  Date.now = () => at;
  try {
    return await work();
  } finally {
    Date.now = realNow;
  }
}
