/**
 * Growth of a soak series after warm-up: the least-squares trend over every sample from the end of the warm-up
 * to the end of the load, as the trend line's end value over its start value, minus 1.
 *
 * Why a trend and not "last window over first window": a Node process's resident memory saws between
 * collections and drops when V8 hands pages back to the OS, so two short windows compare two phases of the saw
 * (the same 14-minute run read +35 % that way and +4.6 % heap); a leak is a slope that every sample carries.
 */
export function trendGrowth(points: ReadonlyArray<{ t: number; value: number }>): number {
  if (points.length < 2) return NaN;
  const n = points.length;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mv = points.reduce((a, p) => a + p.value, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.t - mt) * (p.value - mv);
    sxx += (p.t - mt) ** 2;
  }
  if (sxx === 0) return NaN;
  const slope = sxy / sxx;
  const start = mv + slope * (points[0]!.t - mt);
  const end = mv + slope * (points[n - 1]!.t - mt);
  return end / start - 1;
}
