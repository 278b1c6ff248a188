/** Latency summaries: nearest-rank percentiles over the raw samples, no histogram buckets. */

export interface Summary {
  /** Requests measured (warm-up excluded). */
  n: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Completed requests per second of wall time for the whole phase. */
  rps: number;
}

/** Nearest-rank percentile (p in 0..100) of samples sorted ascending; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

export function summarize(latenciesMs: readonly number[], elapsedMs: number): Summary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
    rps: elapsedMs > 0 ? round((sorted.length * 1000) / elapsedMs, 1) : 0,
  };
}

/** a / b rounded, for "at 100k vs at 1k" comparisons; null when b is 0 or missing. */
export function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return round(a / b);
}
