// Small helpers over the official client for end-to-end assertions.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';

/** Polls until `query` on `index` counts `expected` documents (or more), within `timeoutMs`. */
export async function waitForCount(
  client: Client,
  index: string,
  query: object,
  expected: number,
  timeoutMs = 60_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let count = 0;
  while (Date.now() < deadline) {
    await client.indices
      .refresh({ index, ignore_unavailable: true, allow_no_indices: true })
      .catch(() => undefined);
    count = await client
      .count({ index, query, ignore_unavailable: true, allow_no_indices: true })
      .then((r) => r.count)
      .catch(() => 0);
    if (count >= expected) return count;
    await sleep(250);
  }
  return count;
}

/** Backing indices of data streams: `DELETE /_data_stream` is missing on the integ-test server. */
export async function deleteDataStreams(client: Client, pattern: string): Promise<void> {
  await client.indices
    .delete({ index: `.ds-${pattern}`, ignore_unavailable: true, allow_no_indices: true })
    .catch(() => undefined);
}

/** Every distinct value of a numeric field, with how many documents hold it (composite aggregation, paged). */
export async function valueCounts(
  client: Client,
  index: string,
  field: string,
): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  let after: Record<string, unknown> | undefined;
  for (;;) {
    const response = await client.search({
      index,
      size: 0,
      aggs: {
        values: {
          composite: { size: 10_000, sources: [{ v: { terms: { field } } }], ...(after ? { after } : {}) },
        },
      },
    });
    const agg = response.aggregations?.values as {
      buckets: { key: { v: number }; doc_count: number }[];
      after_key?: Record<string, unknown>;
    };
    for (const bucket of agg.buckets) counts.set(bucket.key.v, bucket.doc_count);
    if (agg.buckets.length < 10_000 || agg.after_key === undefined) return counts;
    after = agg.after_key;
  }
}

/** How many of the sequence numbers 0..total-1 are missing, and how many appear more than once. */
export function exactlyOnce(
  counts: Map<number, number>,
  total: number,
): { missing: number; duplicated: number } {
  let missing = 0;
  let duplicated = 0;
  for (let seq = 0; seq < total; seq++) {
    const n = counts.get(seq) ?? 0;
    if (n === 0) missing++;
    if (n > 1) duplicated++;
  }
  return { missing, duplicated };
}
