/*
 * The composable index templates the exporter installs at start, and the feature probes that
 * decide what goes into them. Mappings use only field types every Elasticsearch 8/9 has
 * (`date_nanos`, `keyword`, `text`, `flattened`, `long`, `ip`, `boolean`): Elastic's own ECS
 * templates use `match_only_text`, `wildcard` and `constant_keyword`, which some distributions
 * (the integ-test server of the local stack among them) lack, and a template naming an unknown
 * type is rejected outright.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import type { ElasticsearchExporterConfig } from './config.ts';

/** Bumped whenever a template body changes, so `GET _index_template` shows which collector wrote it. */
export const TEMPLATE_VERSION = 1;

export interface DetectedFeatures {
  /** `/_ilm/status` answered: `index.lifecycle.name` is a known setting. */
  readonly ilm: boolean;
  /** `/_data_stream` APIs exist (informational: writes never depend on them). */
  readonly dataStreamApi: boolean;
}

export interface IndexTemplate {
  readonly name: string;
  readonly body: Omit<estypes.IndicesPutIndexTemplateRequest, 'name'>;
}

type Props = Record<string, estypes.MappingProperty>;

const keyword: estypes.MappingProperty = { type: 'keyword', ignore_above: 1024 };
const obj = (properties: Props): estypes.MappingProperty => ({ type: 'object', properties });
const keywords = (...names: string[]): Props => Object.fromEntries(names.map((n) => [n, keyword]));

/** ECS fields of Tributary's log and span documents (see the ecs processor's README). */
export function ecsProperties(): Props {
  return {
    '@timestamp': { type: 'date_nanos' },
    message: { type: 'text' },
    log: obj({ level: keyword, logger: keyword }),
    service: obj(keywords('name', 'version', 'environment')),
    trace: obj({ id: keyword }),
    span: obj(keywords('id', 'name', 'kind')),
    parent: obj({ id: keyword }),
    event: obj({
      ...keywords('id', 'dataset', 'action', 'outcome', 'category', 'kind', 'module'),
      duration: { type: 'long' },
      severity: { type: 'long' },
    }),
    data_stream: obj(keywords('type', 'dataset', 'namespace')),
    host: obj(keywords('name', 'hostname')),
    kubernetes: obj({
      namespace: keyword,
      pod: obj(keywords('name', 'uid', 'ip')),
      node: obj(keywords('name')),
      container: obj(keywords('name')),
      // Label and annotation keys are chosen by every team: one field per key would explode the mapping.
      labels: { type: 'flattened' },
      annotations: { type: 'flattened' },
    }),
    container: obj({ ...keywords('id', 'name'), image: obj({ name: keyword }) }),
    orchestrator: obj(keywords('type', 'namespace')),
    labels: { type: 'flattened' },
    user: obj(keywords('id', 'name', 'roles')),
    source: obj({ ip: { type: 'ip' }, port: { type: 'long' } }),
    destination: obj({ ip: { type: 'ip' }, port: { type: 'long' } }),
    user_agent: obj({ original: keyword }),
    error: obj({ type: keyword, message: { type: 'text' }, stack_trace: { type: 'text' } }),
    audit: obj({ resource: obj(keywords('type', 'id', 'name')), reason: { type: 'text' } }),
    tributary: obj({
      audit: { type: 'boolean' },
      time_invalid: { type: 'boolean' },
      // Whatever record fields lost their name to an ECS field: any shape, never a mapping conflict.
      original: { type: 'flattened' },
    }),
  };
}

function ecsMappings(): estypes.MappingTypeMapping {
  return {
    // A string that happens to look like a date would otherwise fix the field as `date`, and the
    // next ordinary string would be rejected.
    date_detection: false,
    dynamic_templates: [
      {
        strings_as_keyword: {
          match_mapping_type: 'string',
          mapping: { type: 'keyword', ignore_above: 1024 },
        },
      },
    ],
    properties: ecsProperties(),
  };
}

/** Dead letters: a fixed shape, `dynamic: false`, so writing one can never fail on a mapping. */
export function deadLetterMappings(): estypes.MappingTypeMapping {
  return {
    dynamic: false,
    properties: {
      '@timestamp': { type: 'date_nanos' },
      message: { type: 'text' },
      event: obj({
        id: keyword,
        kind: keyword,
        // The rejected document verbatim: searchable text, never parsed into fields.
        original: { type: 'text', norms: false },
      }),
      error: obj({ type: keyword, message: { type: 'text' } }),
      data_stream: obj(keywords('type', 'dataset', 'namespace')),
      tributary: obj({
        dead_letter: obj({
          index: keyword,
          status: { type: 'integer' },
          truncated: { type: 'boolean' },
          original_length: { type: 'long' },
        }),
      }),
    },
  };
}

/** `logs-tributary.deadletter-default` → `logs-tributary.deadletter-*`: every namespace of that dataset. */
export function deadLetterPattern(dataStream: string): string {
  return `${dataStream.slice(0, dataStream.lastIndexOf('-'))}-*`;
}

function settings(
  config: ElasticsearchExporterConfig,
  features: DetectedFeatures | undefined,
): estypes.IndicesIndexSettings {
  const s: estypes.IndicesIndexSettings = {
    'index.mapping.total_fields.limit': config.templates.total_fields_limit,
  };
  if (config.templates.replicas !== undefined) s['index.number_of_replicas'] = config.templates.replicas;
  if (config.ilm_policy !== undefined && features?.ilm === true)
    s['index.lifecycle.name'] = config.ilm_policy;
  return s;
}

/**
 * The three templates, all `data_stream: {}` so that the first `create` into a matching name
 * makes the data stream. `features` undefined means "not probed": no ILM setting.
 */
export function buildTemplates(
  config: ElasticsearchExporterConfig,
  features?: DetectedFeatures,
): IndexTemplate[] {
  const t = config.templates;
  const common = (description: string) => ({
    data_stream: {},
    version: TEMPLATE_VERSION,
    _meta: { managed_by: 'tributary', description },
  });
  return [
    {
      name: `${t.name_prefix}-logs`,
      body: {
        index_patterns: [...t.logs_index_patterns],
        priority: t.priority,
        template: { settings: settings(config, features), mappings: ecsMappings() },
        ...common('Tributary log events (ECS)'),
      },
    },
    {
      name: `${t.name_prefix}-traces`,
      body: {
        index_patterns: [...t.traces_index_patterns],
        priority: t.priority,
        template: { settings: settings(config, features), mappings: ecsMappings() },
        ...common('Zipkin spans as ECS documents'),
      },
    },
    {
      name: `${t.name_prefix}-deadletter`,
      body: {
        index_patterns: [deadLetterPattern(config.dead_letter.data_stream)],
        // The dead-letter stream also matches `logs-*-*`: one above, because two overlapping
        // templates of equal priority are refused by Elasticsearch.
        priority: t.priority + 1,
        template: { settings: settings(config, features), mappings: deadLetterMappings() },
        ...common('Documents Elasticsearch rejected, with the reason'),
      },
    },
  ];
}

/** 200 = there; 403 = there but we may not read it (the setting still works); 400/404/405/410/5xx = absent. */
async function probe(client: Client, path: string, signal: AbortSignal): Promise<boolean> {
  const res = await client.transport.request(
    { method: 'GET', path, querystring: { filter_path: '-*' } },
    { meta: true, ignore: [400, 403, 404, 405, 410, 500, 501], signal, maxRetries: 0 },
  );
  return res.statusCode === 200 || res.statusCode === 403;
}

/** Probes ILM and the data stream API. Connection errors and 401 propagate (the caller retries). */
export async function detectFeatures(client: Client, signal: AbortSignal): Promise<DetectedFeatures> {
  const [ilm, dataStreamApi] = await Promise.all([
    probe(client, '/_ilm/status', signal),
    // A wildcard that matches nothing: 200 with an empty list where the API exists, without
    // listing every data stream of a big cluster.
    probe(client, '/_data_stream/tributary-feature-probe-*', signal),
  ]);
  return { ilm, dataStreamApi };
}

export async function installTemplates(
  client: Client,
  templates: readonly IndexTemplate[],
  signal: AbortSignal,
): Promise<void> {
  // Sequential: three requests once per start, and a refusal (e.g. a priority clash with
  // someone else's template) then names exactly one template.
  for (const t of templates) {
    await client.indices.putIndexTemplate({ name: t.name, ...t.body }, { signal, maxRetries: 0 });
  }
}
