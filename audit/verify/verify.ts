// `verify` against Elasticsearch: for each partition, read its digests, then stream its events in
// seq order through the walker.
import type { Client, estypes } from '@elastic/elasticsearch';
import type { KeyObject } from 'node:crypto';
import type { Json } from '../chain/hash.ts';
import type { AuditStreams } from '../store/names.ts';
import {
  LENIENT,
  aggregate,
  bucketKeys,
  digestFilter,
  metricValue,
  numericSort,
  partitionFilter,
} from '../store/search.ts';
import type { Finding } from './findings.ts';
import { ChainWalker } from './walker.ts';

/** A seq number, or an ISO-8601 time that is mapped to the partition's seq range. */
export type Bound = number | string;

export interface VerifyOptions {
  readonly topic: string;
  readonly partition?: number | undefined;
  readonly from?: Bound | undefined;
  readonly to?: Bound | undefined;
  readonly publicKey: KeyObject | undefined;
  readonly maxEvents?: number;
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
}

export interface PartitionReport {
  readonly partition: number;
  readonly fromSeq: number;
  readonly toSeq: number | null;
  readonly events: number;
  readonly digests: number;
  readonly findings: readonly Finding[];
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly events: number;
  readonly digests: number;
  readonly partitions: readonly PartitionReport[];
  readonly findings: readonly Finding[];
  /** The first broken link, if any. */
  readonly first: Finding | null;
  /** Set when `maxEvents` stopped the walk early. */
  readonly truncated: boolean;
  readonly seconds: number;
}

/** Parses `--from`/`--to`: digits are a seq, anything else must be an ISO-8601 time. */
export function parseBound(text: string, name: string): Bound {
  if (/^[0-9]+$/.test(text)) {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${name}: a seq is an integer >= 1`);
    return n;
  }
  if (!Number.isFinite(Date.parse(text)))
    throw new RangeError(`${name}: expected a seq number or an ISO-8601 time, got ${JSON.stringify(text)}`);
  return new Date(Date.parse(text)).toISOString();
}

async function partitionsOf(
  client: Client,
  streams: AuditStreams,
  topic: string,
  signal?: AbortSignal,
): Promise<number[]> {
  const partitionsIn = (index: string, field: 'chain' | 'digest') =>
    aggregate(
      client,
      index,
      [{ term: { [`audit.${field}.topic`]: topic } }],
      { p: { terms: { field: `audit.${field}.partition`, size: 10_000 } } },
      signal,
    );
  const [events, digests] = await Promise.all([
    partitionsIn(streams.events, 'chain'),
    partitionsIn(streams.digests, 'digest'),
  ]);
  const keys = [...bucketKeys(events, 'p'), ...bucketKeys(digests, 'p')].map(Number);
  return [...new Set(keys)].sort((a, b) => a - b);
}

/** Maps a time bound to a seq: the first seq at/after `from`, the last at/before `to`. */
async function seqAt(
  client: Client,
  index: string,
  topic: string,
  partition: number,
  time: string,
  side: 'from' | 'to',
  signal?: AbortSignal,
): Promise<number | undefined> {
  const aggs = await aggregate(
    client,
    index,
    [
      ...partitionFilter(topic, partition),
      { range: { '@timestamp': side === 'from' ? { gte: time } : { lte: time } } },
    ],
    { s: side === 'from' ? { min: { field: 'audit.chain.seq' } } : { max: { field: 'audit.chain.seq' } } },
    signal,
  );
  return metricValue(aggs, 's');
}

export async function verifyTrail(
  client: Client,
  streams: AuditStreams,
  options: VerifyOptions,
): Promise<VerifyReport> {
  const started = performance.now();
  const { topic, signal } = options;
  const opts = signal === undefined ? {} : { signal };
  await client.indices.refresh({ index: [streams.events, streams.digests], ...LENIENT }, opts);
  const partitions =
    options.partition === undefined
      ? await partitionsOf(client, streams, topic, signal)
      : [options.partition];
  const reports: PartitionReport[] = [];
  let budget = options.maxEvents ?? Infinity;
  let truncated = false;
  const pageSize = options.pageSize ?? 5000;
  for (const partition of partitions) {
    const from =
      typeof options.from === 'string'
        ? await seqAt(client, streams.events, topic, partition, options.from, 'from', signal)
        : (options.from ?? 1);
    const to =
      typeof options.to === 'string'
        ? await seqAt(client, streams.events, topic, partition, options.to, 'to', signal)
        : (options.to ?? Infinity);
    if (from === undefined || to === undefined || to < from) {
      reports.push({ partition, fromSeq: from ?? 0, toSeq: to ?? null, events: 0, digests: 0, findings: [] });
      continue;
    }
    const walker = new ChainWalker({
      topic,
      partition,
      fromSeq: from,
      toSeq: to,
      publicKey: options.publicKey,
    });

    const digests = await client.search<Json>(
      {
        index: streams.digests,
        ...LENIENT,
        size: 10_000,
        query: {
          bool: {
            filter: [
              ...digestFilter(topic, partition),
              { range: { 'audit.digest.to_seq': { gte: from } } },
              ...(Number.isFinite(to) ? [{ range: { 'audit.digest.from_seq': { lte: to } } }] : []),
            ],
          },
        },
        sort: [numericSort('audit.digest.to_seq', 'asc')],
      },
      opts,
    );
    for (const h of digests.hits.hits) if (h._source !== undefined) walker.addDigest(h._id ?? '', h._source);

    const range: Record<string, number> = { gte: Math.max(1, from - 1) };
    if (Number.isFinite(to)) range['lte'] = to;
    const fetchPage = (size: number, after: estypes.SortResults | undefined) =>
      client.search<Json>(
        {
          index: streams.events,
          ...LENIENT,
          size,
          query: {
            bool: { filter: [...partitionFilter(topic, partition), { range: { 'audit.chain.seq': range } }] },
          },
          sort: [numericSort('audit.chain.seq', 'asc'), numericSort('audit.chain.offset', 'asc')],
          ...(after === undefined ? {} : { search_after: after }),
        },
        opts,
      );
    let size = Math.min(pageSize, Math.max(1, budget + 1));
    let pending = fetchPage(size, undefined);
    for (;;) {
      const hits = (await pending).hits.hits;
      const full = hits.length === size;
      budget -= hits.length;
      const nextSize = Math.min(pageSize, Math.max(1, budget + 1));
      // The next page is fetched while this one is hashed: Elasticsearch and the CPU work in parallel.
      if (full && budget > 0) pending = fetchPage(nextSize, hits.at(-1)?.sort);
      for (const h of hits) if (h._source !== undefined) walker.push({ id: h._id ?? '', source: h._source });
      if (!full) break;
      if (budget <= 0) {
        truncated = true;
        break;
      }
      size = nextSize;
    }
    const all = walker.finish();
    // A walk cut short must not call the unread rest of the chain missing.
    const findings = truncated ? all.filter((f) => f.seq <= walker.lastSeq) : all;
    reports.push({
      partition,
      fromSeq: from,
      toSeq: Number.isFinite(to) ? to : walker.lastSeq,
      events: walker.events,
      digests: digests.hits.hits.length,
      findings,
    });
    if (truncated) break;
  }
  const findings = reports.flatMap((r) => r.findings);
  return {
    ok: findings.length === 0,
    events: reports.reduce((n, r) => n + r.events, 0),
    digests: reports.reduce((n, r) => n + r.digests, 0),
    partitions: reports,
    findings,
    first: findings[0] ?? null,
    truncated,
    seconds: (performance.now() - started) / 1000,
  };
}
