// Search pieces every read of the audit streams uses: the chain and digest index layout, and the
// settings that let a read run before the streams exist (a fresh deployment reads as empty).
import type { Client, estypes } from '@elastic/elasticsearch';
import type { Json } from '../chain/hash.ts';

/** A missing stream or pattern with no match reads as empty instead of failing the request. */
export const LENIENT = { ignore_unavailable: true, allow_no_indices: true } as const;

type Query = estypes.QueryDslQueryContainer;
type Aggregations = Record<string, estypes.AggregationsAggregate>;

/** One partition's events (several topics may share a stream). */
export const partitionFilter = (topic: string, partition: number): Query[] => [
  { term: { 'audit.chain.topic': topic } },
  { term: { 'audit.chain.partition': partition } },
];

/** One partition's digests. */
export const digestFilter = (topic: string, partition: number): Query[] => [
  { term: { 'audit.digest.topic': topic } },
  { term: { 'audit.digest.partition': partition } },
];

/** A sort on a numeric field; `unmapped_type` keeps it valid on a stream with no such field yet. */
export const numericSort = (field: string, order: 'asc' | 'desc'): estypes.SortCombinations => ({
  [field]: { order, unmapped_type: 'long' },
});

const requestOptions = (signal: AbortSignal | undefined) => (signal === undefined ? {} : { signal });

/** Runs `aggs` over the documents matching all of `filter`, without fetching any of them. */
export async function aggregate(
  client: Client,
  index: string,
  filter: Query[],
  aggs: Record<string, estypes.AggregationsAggregationContainer>,
  signal: AbortSignal | undefined,
): Promise<Aggregations | undefined> {
  const res = await client.search(
    { index, ...LENIENT, size: 0, query: { bool: { filter } }, aggs },
    requestOptions(signal),
  );
  return res.aggregations;
}

/** A min/max/… aggregation's value; undefined when no document had the field. */
export function metricValue(aggregations: Aggregations | undefined, name: string): number | undefined {
  const v = (aggregations?.[name] as { value?: number | null } | undefined)?.value;
  return typeof v === 'number' ? v : undefined;
}

/** A terms aggregation's bucket keys. */
export function bucketKeys(aggregations: Aggregations | undefined, name: string): unknown[] {
  return ((aggregations?.[name] as { buckets?: { key: unknown }[] } | undefined)?.buckets ?? []).map(
    (b) => b.key,
  );
}

export interface ScanOptions {
  /** Source fields to fetch; all when absent. */
  readonly source?: readonly string[];
  /** Most hits to read; all when absent. */
  readonly max?: number;
  readonly pageSize?: number;
}

/**
 * The documents matching all of `filter` in `sort` order, a page at a time with `search_after`
 * (so a scan of millions never builds a deep `from` offset). `sort` must end in a unique field.
 */
export async function* scan(
  client: Client,
  index: string,
  filter: Query[],
  sort: estypes.SortCombinations[],
  options: ScanOptions,
  signal: AbortSignal | undefined,
): AsyncGenerator<estypes.SearchHit<Json>> {
  const max = options.max ?? Infinity;
  const pageSize = options.pageSize ?? 5000;
  let after: estypes.SortResults | undefined;
  let n = 0;
  while (n < max) {
    const size = Math.min(pageSize, max - n);
    const res = await client.search<Json>(
      {
        index,
        ...LENIENT,
        size,
        ...(options.source === undefined ? {} : { _source: [...options.source] }),
        query: { bool: { filter } },
        sort,
        ...(after === undefined ? {} : { search_after: after }),
      },
      requestOptions(signal),
    );
    const hits = res.hits.hits;
    yield* hits;
    n += hits.length;
    if (hits.length < size) return;
    after = hits.at(-1)?.sort;
  }
}
