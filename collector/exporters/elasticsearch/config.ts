import { z } from 'zod';
import { retryConfigSchema } from '../retry.ts';
import { duration } from '../../../common/config/index.ts';
import { dataStreamPartProblem, indexNameProblem } from '../../processors/ecs/naming.ts';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:9200';
export const DEFAULT_DEAD_LETTER_DATA_STREAM = 'logs-tributary.deadletter-default';
/** Elasticsearch's built-in `logs` template has priority 100; ours must win over it. */
export const DEFAULT_TEMPLATE_PRIORITY = 200;
export const MIB = 1024 * 1024;

/** Why `name` is not a `{type}-{dataset}-{namespace}` data stream name we are willing to write to. */
export function dataStreamNameProblem(name: string): string | undefined {
  const problem = indexNameProblem(name);
  if (problem !== undefined) return problem;
  const parts = name.split('-');
  if (parts.length !== 3) return 'must be `{type}-{dataset}-{namespace}` (exactly two `-`)';
  const [type = '', dataset = '', namespace = ''] = parts;
  if (type !== 'logs') return 'type must be `logs` (dead letters are log documents)';
  return dataStreamPartProblem(dataset) ?? dataStreamPartProblem(namespace, true);
}

/** Index patterns end up in templates that claim every future index they match: keep them plain. */
const indexPattern = z
  .string()
  .min(1)
  .superRefine((v, ctx) => {
    const problem = indexNameProblem(v.replaceAll('*', 'x'));
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

/** `exporters.elasticsearch` in the collector's config. Durations as everywhere (bare number = seconds), sizes bytes. */
export const elasticsearchExporterConfigSchema = z.strictObject({
  endpoints: z
    .array(z.url({ protocol: /^https?$/ }))
    .min(1)
    .default([DEFAULT_ENDPOINT])
    .describe('Elasticsearch HTTP endpoints; requests are spread over them and a failing one is skipped.'),
  auth: z
    .union([
      z.strictObject({
        username: z.string().min(1).describe('Basic auth user.'),
        password: z.string().describe('Basic auth password (use `${ENV}` substitution, never a literal).'),
      }),
      z.strictObject({
        api_key: z.string().min(1).describe('Base64 `id:api_key` as Elasticsearch returns it in `encoded`.'),
      }),
    ])
    .optional()
    .describe('Credentials: either `username` + `password`, or `api_key`. None when omitted.'),
  tls: z
    .strictObject({
      ca_file: z
        .string()
        .min(1)
        .optional()
        .describe('PEM file with the CA that signed the Elasticsearch certificate; system CAs when omitted.'),
      reject_unauthorized: z
        .boolean()
        .default(true)
        .describe('Verify the server certificate. Only ever `false` for throwaway test clusters.'),
    })
    .prefault({})
    .describe('TLS for `https://` endpoints.'),
  max_batch_bytes: z
    .number()
    .int()
    .min(1024)
    .max(100 * MIB)
    .default(5 * MIB)
    .describe(
      'Upper bound on one `_bulk` request body (uncompressed bytes); larger writes are split. A single larger document is sent alone.',
    ),
  max_batch_docs: z
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe('Upper bound on documents in one `_bulk` request.'),
  flush_interval: duration()
    .prefault('200ms')
    .describe(
      'A delivery under half full waits up to this long for more events before it is written (like Fluent Bit `Flush`).',
    ),
  request_timeout: duration()
    .prefault('30s')
    .describe(
      'Time before a request is abandoned and retried (items already applied come back as duplicates).',
    ),
  concurrency: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(2)
    .describe('`_bulk` requests one `write` keeps in flight when it spans several requests.'),
  retry: retryConfigSchema('429, 5xx, timeouts and connection errors'),
  compression: z
    .boolean()
    .default(false)
    .describe('gzip request bodies (less network, more collector CPU); responses are always small.'),
  templates: z
    .strictObject({
      install: z
        .boolean()
        .default(true)
        .describe('Install (PUT, idempotent) the index templates at start, before the first write.'),
      replicas: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe(
          '`index.number_of_replicas`; the server default (1) when omitted. 0 for a single-node cluster.',
        ),
      priority: z
        .number()
        .int()
        .min(101)
        .max(1_000_000)
        .default(DEFAULT_TEMPLATE_PRIORITY)
        .describe(
          'Priority of the logs and traces templates (above the built-in `logs-*-*` at 100); the dead-letter template gets this + 1.',
        ),
      total_fields_limit: z
        .number()
        .int()
        .min(1000)
        .max(100_000)
        .default(2000)
        .describe('`index.mapping.total_fields.limit` (Elasticsearch default 1000).'),
      name_prefix: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/)
        .default('tributary')
        .describe(
          'Template names are `<namePrefix>-logs`, `<namePrefix>-traces`, `<namePrefix>-deadletter`.',
        ),
      logs_index_patterns: z
        .array(indexPattern)
        .min(1)
        .default(['logs-*-*'])
        .describe(
          'Index patterns of the logs template (covers `logs-<service>-<ns>` and `logs-audit-<ns>`).',
        ),
      traces_index_patterns: z
        .array(indexPattern)
        .min(1)
        .default(['traces-zipkin-*'])
        .describe('Index patterns of the spans template.'),
    })
    .prefault({})
    .describe('Index templates.'),
  dead_letter: z
    .strictObject({
      data_stream: z
        .string()
        .superRefine((v, ctx) => {
          const problem = dataStreamNameProblem(v);
          if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
        })
        .default(DEFAULT_DEAD_LETTER_DATA_STREAM)
        .describe('Data stream for documents Elasticsearch rejected (`logs-<dataset>-<namespace>`).'),
    })
    .prefault({})
    .describe('Where rejected documents go.'),
  ilm_policy: z
    .string()
    .min(1)
    .optional()
    .describe('ILM policy named in the templates (`index.lifecycle.name`), only when the cluster has ILM.'),
});

export type ElasticsearchExporterConfig = z.output<typeof elasticsearchExporterConfigSchema>;
export type ElasticsearchExporterConfigInput = z.input<typeof elasticsearchExporterConfigSchema>;
