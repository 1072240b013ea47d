/**
 * Calls `op` `warmup` times (JIT, caches), then for `seconds` of wall time, and returns the calls made in
 * that time and the process's CPU time (user + system) per call in µs: steadier than wall time on a shared
 * machine. For the profiling scripts (bench/profileVerify.ts, bench/profileRegistry.ts).
 */
export async function cpuPerCall(op: () => unknown, seconds: number, warmup: number): Promise<{ calls: number; cpuMicros: number }> {
  for (let i = 0; i < warmup; i++) await op();
  const end = Date.now() + seconds * 1000;
  let calls = 0;
  const before = process.cpuUsage();
  while (Date.now() < end) {
    await op();
    calls++;
  }
  const cpu = process.cpuUsage(before);
  return { calls, cpuMicros: (cpu.user + cpu.system) / calls };
}
