// Index templates for the three audit streams. Each template matches exactly one name, so audit
// deployments with different namespaces (and parallel test runs) never overwrite each other's.
// Mappings are `dynamic: false`: fields the audit service does not know stay in `_source`
// (and in the hash) but are not indexed, so no event can ever be refused for a mapping
// conflict, which would leave a hole in its chain.
import type { Client, estypes } from '@elastic/elasticsearch';
import type { AuditStreams } from './names.ts';

type Props = Record<string, estypes.MappingProperty>;
const keyword: estypes.MappingProperty = { type: 'keyword', ignore_above: 1024 };
const obj = (properties: Props): estypes.MappingProperty => ({ type: 'object', properties });
const keywords = (...names: string[]): Props => Object.fromEntries(names.map((n) => [n, keyword]));

export function eventProperties(): Props {
  return {
    '@timestamp': { type: 'date_nanos' },
    message: { type: 'text' },
    event: obj(keywords('id', 'action', 'outcome', 'category', 'kind', 'dataset', 'module')),
    user: obj(keywords('id', 'name', 'roles')),
    source: obj({ ip: { type: 'ip' }, port: { type: 'long' } }),
    user_agent: obj({ original: keyword }),
    service: obj({ name: keyword }),
    trace: obj({ id: keyword }),
    span: obj({ id: keyword }),
    host: obj({ name: keyword }),
    kubernetes: obj({ namespace: keyword }),
    data_stream: obj(keywords('type', 'dataset', 'namespace')),
    audit: obj({
      resource: obj(keywords('type', 'id', 'name')),
      reason: { type: 'text' },
      chain: obj({
        topic: keyword,
        partition: { type: 'integer' },
        offset: { type: 'long' },
        seq: { type: 'long' },
        prev: keyword,
        hash: keyword,
      }),
    }),
  };
}

function digestProperties(): Props {
  return {
    '@timestamp': { type: 'date_nanos' },
    audit: obj({
      digest: obj({
        ...keywords('type', 'topic', 'last_hash', 'key_id'),
        partition: { type: 'integer' },
        from_seq: { type: 'long' },
        to_seq: { type: 'long' },
        created: { type: 'keyword' },
        signature: { type: 'keyword', index: false, doc_values: false },
      }),
    }),
  };
}

function alertProperties(): Props {
  return {
    '@timestamp': { type: 'date_nanos' },
    message: { type: 'text' },
    rule: obj(keywords('name', 'type', 'severity', 'description')),
    alert: obj({
      id: keyword,
      key: keyword,
      group_by: keyword,
      window_start: { type: 'date_nanos' },
      window_end: { type: 'date_nanos' },
      count: { type: 'long' },
      event_ids: keyword,
      partition: { type: 'integer' },
      trigger_offset: { type: 'long' },
      topic: keyword,
    }),
    user: obj(keywords('id', 'name')),
    event: obj(keywords('action', 'outcome', 'kind')),
    audit: obj({ resource: obj(keywords('type', 'id', 'name')) }),
  };
}

export interface TemplateOptions {
  readonly priority: number;
  readonly replicas?: number | undefined;
  readonly dataStreams: boolean;
}

export function buildAuditTemplates(
  streams: AuditStreams,
  options: TemplateOptions,
): { name: string; body: Omit<estypes.IndicesPutIndexTemplateRequest, 'name'> }[] {
  const settings: estypes.IndicesIndexSettings = {
    // One shard: one partition's writes are applied in order, and the chain queries are cheap.
    number_of_shards: 1,
    ...(options.replicas === undefined ? {} : { number_of_replicas: options.replicas }),
  };
  const make = (stream: string, properties: Props, description: string) => ({
    name: `tributary-${stream}`,
    body: {
      index_patterns: [stream],
      priority: options.priority,
      ...(options.dataStreams ? { data_stream: {} } : {}),
      template: { settings, mappings: { dynamic: false as const, date_detection: false, properties } },
      _meta: { managed_by: 'tributary-audit', description },
    },
  });
  return [
    make(streams.events, eventProperties(), 'Audit trail: hash-chained audit events'),
    make(streams.digests, digestProperties(), 'Signed digests of the audit chains'),
    make(streams.alerts, alertProperties(), 'Alerts raised by audit rules'),
  ];
}

export async function installAuditTemplates(
  client: Client,
  streams: AuditStreams,
  options: TemplateOptions,
  signal?: AbortSignal,
): Promise<void> {
  for (const t of buildAuditTemplates(streams, options))
    await client.indices.putIndexTemplate(
      { name: t.name, ...t.body },
      signal === undefined ? {} : { signal },
    );
}
