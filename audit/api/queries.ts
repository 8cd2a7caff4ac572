// Elasticsearch queries behind the API. Only validated values reach them, always as term/range
// values or a simple_query_string (no Lucene syntax errors, no scripts).
import type { Client, estypes } from '@elastic/elasticsearch';
import type { Json } from '../chain/hash.ts';
import type { AuditStreams } from '../store/names.ts';
import { LENIENT } from '../store/search.ts';
import { encodeCursor } from './params.ts';
type Q = estypes.QueryDslQueryContainer;

export interface Page {
  readonly total: number;
  readonly items: Json[];
  readonly next: string | null;
}

function timeRange(field: string, from?: string, to?: string): Q[] {
  if (from === undefined && to === undefined) return [];
  return [
    {
      range: {
        [field]: { ...(from === undefined ? {} : { gte: from }), ...(to === undefined ? {} : { lte: to }) },
      },
    },
  ];
}

async function page(
  client: Client,
  index: string,
  filter: Q[],
  must: Q[],
  sort: estypes.SortCombinations[],
  size: number,
  after: (string | number)[] | undefined,
  signal: AbortSignal,
): Promise<Page> {
  const res = await client.search<Json>(
    {
      index,
      ...LENIENT,
      size,
      track_total_hits: 10_000,
      query: { bool: { filter, must } },
      sort,
      ...(after === undefined ? {} : { search_after: after }),
    },
    { signal },
  );
  const hits = res.hits.hits;
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? hits.length);
  const last = hits.at(-1);
  return {
    total,
    items: hits.map((h) => ({ _id: h._id, _index: h._index, ...h._source })),
    next: hits.length === size && last?.sort !== undefined ? encodeCursor(last.sort) : null,
  };
}

// date_nanos sort values as strings: as numbers they would lose precision in JSON.
const BY_TIME: estypes.SortCombinations = {
  '@timestamp': { order: 'desc', format: 'strict_date_optional_time_nanos' },
};

export interface EventQuery {
  actor?: string | undefined;
  action?: string | undefined;
  outcome?: string | undefined;
  resource?: string | undefined;
  resource_type?: string | undefined;
  partition?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  q?: string | undefined;
  size?: number | undefined;
  search_after?: (string | number)[] | undefined;
}

export function searchEvents(
  client: Client,
  streams: AuditStreams,
  q: EventQuery,
  signal: AbortSignal,
): Promise<Page> {
  const filter: Q[] = [...timeRange('@timestamp', q.from, q.to)];
  if (q.actor !== undefined)
    filter.push({
      bool: {
        should: [{ term: { 'user.id': q.actor } }, { term: { 'user.name': q.actor } }],
        minimum_should_match: 1,
      },
    });
  if (q.action !== undefined) filter.push({ term: { 'event.action': q.action } });
  if (q.outcome !== undefined) filter.push({ term: { 'event.outcome': q.outcome } });
  if (q.resource_type !== undefined) filter.push({ term: { 'audit.resource.type': q.resource_type } });
  if (q.resource !== undefined)
    filter.push({
      bool: {
        should: [
          { term: { 'audit.resource.id': q.resource } },
          { term: { 'audit.resource.name': q.resource } },
        ],
        minimum_should_match: 1,
      },
    });
  if (q.partition !== undefined) filter.push({ term: { 'audit.chain.partition': q.partition } });
  const must: Q[] =
    q.q === undefined
      ? []
      : [
          {
            simple_query_string: {
              query: q.q,
              fields: [
                'message',
                'audit.reason',
                'event.action',
                'user.id',
                'user.name',
                'audit.resource.id',
                'audit.resource.name',
              ],
              default_operator: 'and',
              lenient: true,
            },
          },
        ];
  return page(
    client,
    streams.events,
    filter,
    must,
    [BY_TIME, { 'audit.chain.partition': { order: 'asc' } }, { 'audit.chain.offset': { order: 'asc' } }],
    q.size ?? 100,
    q.search_after,
    signal,
  );
}

export async function getEvent(
  client: Client,
  streams: AuditStreams,
  id: string,
  signal: AbortSignal,
): Promise<Json | undefined> {
  const res = await client.search<Json>(
    { index: streams.events, ...LENIENT, size: 1, query: { ids: { values: [id] } } },
    { signal },
  );
  const h = res.hits.hits[0];
  return h === undefined ? undefined : { _id: h._id, _index: h._index, ...h._source };
}

export interface AlertQuery {
  rule?: string | undefined;
  key?: string | undefined;
  actor?: string | undefined;
  severity?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  size?: number | undefined;
  search_after?: (string | number)[] | undefined;
}

export function searchAlerts(
  client: Client,
  streams: AuditStreams,
  q: AlertQuery,
  signal: AbortSignal,
): Promise<Page> {
  const filter: Q[] = [...timeRange('@timestamp', q.from, q.to)];
  if (q.rule !== undefined) filter.push({ term: { 'rule.name': q.rule } });
  if (q.key !== undefined) filter.push({ term: { 'alert.key': q.key } });
  if (q.severity !== undefined) filter.push({ term: { 'rule.severity': q.severity } });
  if (q.actor !== undefined)
    filter.push({
      bool: {
        should: [{ term: { 'user.id': q.actor } }, { term: { 'user.name': q.actor } }],
        minimum_should_match: 1,
      },
    });
  return page(
    client,
    streams.alerts,
    filter,
    [],
    [BY_TIME, { 'alert.id': { order: 'asc' } }],
    q.size ?? 100,
    q.search_after,
    signal,
  );
}
