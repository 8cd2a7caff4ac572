// The reads that rebuild a partition's state from what is indexed. All filter on topic and
// partition (several topics may share a stream) and tolerate streams that do not exist yet.
import type { Client, estypes } from '@elastic/elasticsearch';
import type { Json } from '../chain/hash.ts';
import {
  LENIENT,
  aggregate,
  digestFilter,
  metricValue,
  numericSort,
  partitionFilter,
  scan,
} from './search.ts';

const LINK_SOURCE = ['audit.chain', '@timestamp'];

export interface IndexedLink {
  readonly offset: number;
  readonly seq: number | undefined;
  readonly hash: string | undefined;
  readonly timestamp: string | undefined;
}

type Hit = estypes.SearchHit<Json>;

function chainOfHit(hit: Hit): IndexedLink | undefined {
  const audit = hit._source?.['audit'] as Json | undefined;
  const chain = audit?.['chain'] as Json | undefined;
  if (chain === undefined || typeof chain['offset'] !== 'number') return undefined;
  return {
    offset: chain['offset'],
    seq: typeof chain['seq'] === 'number' ? chain['seq'] : undefined,
    hash: typeof chain['hash'] === 'string' ? chain['hash'] : undefined,
    timestamp: typeof hit._source?.['@timestamp'] === 'string' ? hit._source['@timestamp'] : undefined,
  };
}

export async function refresh(
  client: Client,
  indices: readonly string[],
  signal: AbortSignal,
): Promise<void> {
  await client.indices.refresh({ index: [...indices], ...LENIENT }, { signal });
}

/** The indexed event of the partition with the greatest offset below `offset`. */
export async function lastLinkBefore(
  client: Client,
  index: string,
  topic: string,
  partition: number,
  offset: number,
  signal: AbortSignal,
): Promise<IndexedLink | undefined> {
  const res = await client.search<Json>(
    {
      index,
      ...LENIENT,
      size: 1,
      _source: LINK_SOURCE,
      query: {
        bool: {
          filter: [...partitionFilter(topic, partition), { range: { 'audit.chain.offset': { lt: offset } } }],
        },
      },
      sort: [numericSort('audit.chain.offset', 'desc')],
    },
    { signal },
  );
  const hit = res.hits.hits[0];
  return hit === undefined ? undefined : chainOfHit(hit);
}

/** Chain links already indexed at or after `offset` (the region a restart replays), by offset. */
export async function linksFrom(
  client: Client,
  index: string,
  topic: string,
  partition: number,
  offset: number,
  signal: AbortSignal,
): Promise<Map<number, IndexedLink>> {
  const out = new Map<number, IndexedLink>();
  const filter = [...partitionFilter(topic, partition), { range: { 'audit.chain.offset': { gte: offset } } }];
  const byOffset = [numericSort('audit.chain.offset', 'asc')];
  for await (const h of scan(client, index, filter, byOffset, { source: LINK_SOURCE }, signal)) {
    const link = chainOfHit(h);
    if (link !== undefined) out.set(link.offset, link);
  }
  return out;
}

/** Highest `to_seq` of the partition's digests (0 when none). */
export async function lastDigestSeq(
  client: Client,
  index: string,
  topic: string,
  partition: number,
  signal: AbortSignal,
): Promise<number> {
  const aggs = await aggregate(
    client,
    index,
    digestFilter(topic, partition),
    { last: { max: { field: 'audit.digest.to_seq' } } },
    signal,
  );
  return metricValue(aggs, 'last') ?? 0;
}

/** For each id, the lowest offset below `beforeOffset` at which the partition already has it. */
export async function firstOffsetsOf(
  client: Client,
  index: string,
  topic: string,
  partition: number,
  eventIds: readonly string[],
  beforeOffset: number,
  signal: AbortSignal,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (eventIds.length === 0) return out;
  const aggs = await aggregate(
    client,
    index,
    [
      ...partitionFilter(topic, partition),
      { terms: { 'event.id': [...eventIds] } },
      { range: { 'audit.chain.offset': { lt: beforeOffset } } },
    ],
    {
      ids: {
        terms: { field: 'event.id', size: eventIds.length },
        aggs: { first: { min: { field: 'audit.chain.offset' } } },
      },
    },
    signal,
  );
  const buckets = (aggs?.['ids'] as { buckets?: { key: string; first: { value: number } }[] } | undefined)
    ?.buckets;
  for (const b of buckets ?? []) out.set(String(b.key), b.first.value);
  return out;
}

/** Indexed events of the partition below `beforeOffset` and at or after `sinceTime`, in offset order. */
export async function* eventsForReplay(
  client: Client,
  index: string,
  topic: string,
  partition: number,
  beforeOffset: number,
  sinceTime: string,
  max: number,
  signal: AbortSignal,
): AsyncGenerator<{ offset: number; id: string; event: Json }> {
  const filter = [
    ...partitionFilter(topic, partition),
    { range: { 'audit.chain.offset': { lt: beforeOffset } } },
    { range: { '@timestamp': { gte: sinceTime } } },
  ];
  const byOffset = [numericSort('audit.chain.offset', 'asc')];
  for await (const h of scan(client, index, filter, byOffset, { max }, signal)) {
    const link = chainOfHit(h);
    if (link !== undefined && h._source !== undefined)
      yield { offset: link.offset, id: h._id ?? '', event: h._source };
  }
}

export interface IndexedAlert {
  readonly rule: string;
  readonly key: string;
  readonly windowEnd: number;
  readonly triggerOffset: number;
}

/** The partition's most recent alerts raised before `beforeOffset`. */
export async function recentAlerts(
  client: Client,
  index: string,
  topic: string,
  partition: number,
  beforeOffset: number,
  signal: AbortSignal,
): Promise<IndexedAlert[]> {
  const res = await client.search<Json>(
    {
      index,
      ...LENIENT,
      size: 1000,
      _source: ['rule.name', 'alert.key', 'alert.window_end', 'alert.trigger_offset'],
      query: {
        bool: {
          filter: [
            { term: { 'alert.topic': topic } },
            { term: { 'alert.partition': partition } },
            { range: { 'alert.trigger_offset': { lt: beforeOffset } } },
          ],
        },
      },
      sort: [numericSort('alert.trigger_offset', 'desc')],
    },
    { signal },
  );
  const out: IndexedAlert[] = [];
  for (const h of res.hits.hits) {
    const s = h._source;
    const rule = (s?.['rule'] as Json | undefined)?.['name'];
    const a = s?.['alert'] as Json | undefined;
    if (typeof rule !== 'string' || a === undefined) continue;
    const windowEnd = Date.parse(String(a['window_end']));
    const triggerOffset = a['trigger_offset'];
    if (typeof a['key'] !== 'string' || typeof triggerOffset !== 'number' || !Number.isFinite(windowEnd))
      continue;
    out.push({ rule, key: a['key'], windowEnd, triggerOffset });
  }
  return out.reverse();
}
