// `/api/v1/metrics`: the engine's live counters in Fluent Bit's JSON layout. Only the documented
// fields are copied, so anything else the engine keeps on its counter objects stays private.
import type { FilterCounters, InputCounters, MetricsSnapshot, OutputCounters } from '../engine/types.ts';

export interface MetricsJson {
  input: Record<string, InputCounters>;
  filter: Record<string, FilterCounters>;
  output: Record<string, OutputCounters>;
}

export function metricsJson(snapshot: MetricsSnapshot): MetricsJson {
  const out: MetricsJson = { input: {}, filter: {}, output: {} };
  for (const [name, c] of Object.entries(snapshot.input))
    out.input[name] = { records: c.records, bytes: c.bytes };
  for (const [name, c] of Object.entries(snapshot.filter))
    out.filter[name] = { drop_records: c.drop_records, add_records: c.add_records };
  for (const [name, c] of Object.entries(snapshot.output))
    out.output[name] = {
      proc_records: c.proc_records,
      proc_bytes: c.proc_bytes,
      errors: c.errors,
      retries: c.retries,
      retries_failed: c.retries_failed,
      dropped_records: c.dropped_records,
      retried_records: c.retried_records,
    };
  return out;
}

/** What the health check compares: sums over every output, as Fluent Bit's read_metrics does. */
export function outputFailureTotals(snapshot: MetricsSnapshot): { errors: number; retriesFailed: number } {
  let errors = 0;
  let retriesFailed = 0;
  for (const c of Object.values(snapshot.output)) {
    errors += c.errors;
    retriesFailed += c.retries_failed;
  }
  return { errors, retriesFailed };
}
