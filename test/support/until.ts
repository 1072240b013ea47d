/**
 * Polls `read` until `ok` accepts its value, and returns it; after `timeoutMs` fails naming `what` and the
 * last value read (bigints as decimal strings). For end-to-end tests that wait on processes and chains.
 */
export async function until<T>(
  what: string,
  read: () => T | Promise<T>,
  ok: (v: T) => boolean,
  { timeoutMs = 30_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}: ${JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x))}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
