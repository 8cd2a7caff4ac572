// The audit service's YAML config: one schema that validates the file and generates the README table.
import { z } from 'zod';
import { duration, loadYamlConfig, size } from '../common/config/index.ts';
import { bearerTokenSchema, httpListenSchema, httpPortSchema, httpTlsSchema } from '../common/http/index.ts';
import { rulesSchema } from './rules/config.ts';

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const topic = (fallback: string, what: string) =>
  z
    .string()
    .regex(TOPIC_NAME, 'a Kafka topic name is 1–249 characters of [a-zA-Z0-9._-]')
    .refine((t) => t !== '.' && t !== '..', 'a topic cannot be named "." or ".."')
    .default(fallback)
    .describe(what);

const retrySchema = (what: string) =>
  z
    .strictObject({
      initial_backoff: duration()
        .prefault('100ms')
        .refine((n) => n > 0, 'must be > 0')
        .describe('Ceiling of the first retry delay; doubles on each retry, with full jitter.'),
      max_backoff: duration()
        .prefault('30s')
        .refine((n) => n > 0, 'must be > 0')
        .describe('Largest ceiling of a retry delay. Retries go on until shutdown.'),
    })
    .prefault({})
    .describe(`Backoff for ${what}.`);

const kafkaSchema = z
  .strictObject({
    brokers: z
      .array(z.string().regex(/^[^\s:]+:[0-9]{1,5}$/, 'expected host:port'))
      .min(1)
      .default(['127.0.0.1:9092'])
      .describe('Bootstrap brokers, `host:port`.'),
    client_id: z.string().min(1).default('tributary-audit').describe('Client id the brokers see.'),
    topic: topic('tributary-audit', "Topic the collector's `kafka` exporter writes audit events to."),
    group_id: z
      .string()
      .min(1)
      .max(255)
      .default('tributary-audit')
      .describe(
        'Consumer group; every instance of one deployment uses the same, and they share the partitions.',
      ),
    dead_letter_topic: topic(
      'tributary-audit-dead-letter',
      'Invalid events go here with the reason in headers; created at start if absent.',
    ),
    from_beginning: z
      .boolean()
      .default(true)
      .describe('A new group starts at the oldest retained event (else only new events are read).'),
    partitions_concurrently: z
      .int()
      .min(1)
      .max(64)
      .default(4)
      .describe('Partitions processed at the same time by one instance (each partition stays in order).'),
    session_timeout: duration()
      .prefault('30s')
      .describe('Group session timeout: an instance silent this long loses its partitions.'),
    ssl: z
      .strictObject({
        ca_file: z.string().min(1).optional().describe("PEM CA file for the brokers' certificates."),
        reject_unauthorized: z.boolean().default(true).describe("Verify the brokers' certificates."),
      })
      .optional()
      .describe('TLS to the brokers; present (even `{}`) turns TLS on.'),
    sasl: z
      .strictObject({
        mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).describe('SASL mechanism.'),
        username: z.string().min(1).describe('SASL user name.'),
        password: z.string().min(1).describe('SASL password; write it as `${ENV_VAR}`.'),
      })
      .optional()
      .describe('SASL authentication; absent: none.'),
  })
  .prefault({})
  .describe('Where audit events come from.');

const NAMESPACE = /^[a-z0-9_]{1,100}$/;

const elasticsearchSchema = z
  .strictObject({
    endpoints: z
      .array(z.url({ protocol: /^https?$/ }))
      .min(1)
      .default(['http://127.0.0.1:9200'])
      .describe('Elasticsearch HTTP endpoints.'),
    auth: z
      .union([
        z.strictObject({
          username: z.string().min(1).describe('Basic auth user.'),
          password: z.string().describe('Basic auth password (use `${ENV}`).'),
        }),
        z.strictObject({ api_key: z.string().min(1).describe('Base64 `id:api_key`.') }),
      ])
      .optional()
      .describe('Credentials: `username` + `password`, or `api_key`.'),
    tls: z
      .strictObject({
        ca_file: z.string().min(1).optional().describe('PEM CA file for the Elasticsearch certificate.'),
        reject_unauthorized: z.boolean().default(true).describe('Verify the server certificate.'),
      })
      .prefault({})
      .describe('TLS for `https://` endpoints.'),
    namespace: z
      .string()
      .regex(NAMESPACE, 'a data stream namespace is 1–100 characters of [a-z0-9_]')
      .default('default')
      .describe(
        'Data stream namespace: events go to `logs-audit-<namespace>`, digests to `logs-audit.digests-<namespace>`, alerts to `logs-audit.alerts-<namespace>`.',
      ),
    data_streams: z
      .boolean()
      .default(true)
      .describe(
        'Write data streams (the templates say `data_stream: {}`); `false` makes them plain indices of the same names, which can be deleted outright (tests).',
      ),
    request_timeout: duration().prefault('30s').describe('Time before a request is abandoned and retried.'),
    retry: retrySchema('429, 5xx, timeouts and connection errors'),
    templates: z
      .strictObject({
        install: z
          .boolean()
          .default(true)
          .describe('Install (PUT, idempotent) the index templates at start.'),
        priority: z
          .int()
          .min(202)
          .max(1_000_000)
          .default(300)
          .describe(
            "Template priority; above the collector's `logs-*-*` (200) and dead-letter (201) templates.",
          ),
        replicas: z
          .int()
          .min(0)
          .optional()
          .describe('`index.number_of_replicas`; server default when omitted, 0 for one node.'),
      })
      .prefault({})
      .describe('Index templates, one per stream, matching exactly its name.'),
  })
  .prefault({})
  .describe('Where the audit trail, digests and alerts are kept.');

const signingSchema = z
  .strictObject({
    private_key_file: z
      .string()
      .min(1)
      .optional()
      .describe('PEM (PKCS#8) Ed25519 private key that signs digests (`tributary audit keygen` writes one).'),
    private_key_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .optional()
      .describe('Name of an environment variable holding that PEM instead of a file.'),
    public_key_file: z
      .string()
      .min(1)
      .optional()
      .describe(
        'PEM Ed25519 public key `verify` checks digests with; derived from the private key when omitted.',
      ),
  })
  .refine((s) => !(s.private_key_file !== undefined && s.private_key_env !== undefined), {
    message: 'give `private_key_file` or `private_key_env`, not both',
  })
  .prefault({})
  .describe('Digest signing keys.');

const chainSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Hash-chain events and sign digests. `false` only for measuring what the chain costs.'),
    digest_every_events: z
      .int()
      .min(1)
      .max(10_000_000)
      .default(1000)
      .describe('A signed digest per partition after at least this many new events...'),
    digest_every: duration()
      .prefault('60s')
      .refine((ms) => ms >= 100, 'digest_every must be at least 100ms')
      .describe('...or after this long, whichever comes first (only when there are new events).'),
  })
  .prefault({})
  .describe('Hash chain and signed digests.');

const validationSchema = z
  .strictObject({
    max_event_bytes: size()
      .prefault('64KiB')
      .refine((n) => n >= 256 && n <= 16 * 1024 * 1024, 'max_event_bytes must be between 256B and 16MiB')
      .describe('Larger Kafka messages are dead-lettered as oversized without being parsed.'),
    max_depth: z.int().min(4).max(100).default(20).describe('Deepest object/array nesting accepted.'),
  })
  .prefault({})
  .describe('Event validation.');

const dedupeSchema = z
  .strictObject({
    event_id: z
      .boolean()
      .default(true)
      .describe(
        "Skip an event whose `event.id` an earlier offset of the same partition already had (the collector's replays).",
      ),
    memory_entries: z
      .int()
      .min(0)
      .max(10_000_000)
      .default(100_000)
      .describe('Recent event ids per partition kept in memory; older ones are looked up in Elasticsearch.'),
  })
  .prefault({})
  .describe('Dropping duplicates the producer side created.');

const webhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).describe('Where alerts are POSTed as JSON.'),
  bearer_token: z.string().min(1).optional().describe('Sent as `Authorization: Bearer …`.'),
  timeout: duration().prefault('5s').describe('Time for one attempt.'),
  max_attempts: z
    .int()
    .min(1)
    .max(100)
    .default(6)
    .describe('Attempts (5xx, 429, network errors) before giving up.'),
  initial_backoff: duration().prefault('500ms').describe('First retry delay ceiling; doubles, full jitter.'),
});

const alertsSchema = z
  .strictObject({
    webhooks: z.array(webhookSchema).default([]).describe('Every new alert is POSTed to each of these.'),
    replay_max_events: z
      .int()
      .min(0)
      .max(1_000_000)
      .default(50_000)
      .describe(
        'After a restart or rebalance, rule state is rebuilt from at most this many already indexed events of the partition.',
      ),
  })
  .prefault({})
  .describe('Alert delivery.');

const tokenSchema = z.strictObject({
  name: z.string().min(1).max(100).describe('Who holds the token (logged, never the token).'),
  token: bearerTokenSchema.describe('The secret; use `${ENV}`.'),
  roles: z
    .array(z.enum(['auditor']))
    .min(1)
    .default(['auditor'])
    .describe('`auditor`: read-only access to the API.'),
});

const apiSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Serve the query API, `/metrics` and `/healthz`.'),
    listen: httpListenSchema,
    port: httpPortSchema(9480).describe('HTTP port (0: any free port).'),
    tokens: z
      .array(tokenSchema)
      .default([])
      .describe('Bearer tokens of the `/api/v1/*` endpoints; none: the API answers 401 to everyone.'),
    tls: httpTlsSchema,
    max_page_size: z.int().min(1).max(10_000).default(1000).describe('Largest `size` a search accepts.'),
    verify_max_events: z
      .int()
      .min(1)
      .default(1_000_000)
      .describe('Largest number of events one `GET /api/v1/verify` walks (use the CLI for more).'),
  })
  .prefault({})
  .describe('Query API.');

const serviceSchema = z
  .strictObject({
    log_level: z
      .enum(['debug', 'info', 'warn', 'error'])
      .default('info')
      .describe('Least severe level logged.'),
    shutdown_timeout: duration().prefault('20s').describe('Longest graceful shutdown before exiting anyway.'),
  })
  .prefault({})
  .describe('Process settings.');

export const auditConfigSchema = z
  .strictObject({
    kafka: kafkaSchema,
    elasticsearch: elasticsearchSchema,
    chain: chainSchema,
    signing: signingSchema,
    validation: validationSchema,
    dedupe: dedupeSchema,
    rules: rulesSchema,
    alerts: alertsSchema,
    api: apiSchema,
    service: serviceSchema,
  })
  .superRefine((c, ctx) => {
    if (c.kafka.dead_letter_topic === c.kafka.topic)
      ctx.addIssue({
        code: 'custom',
        path: ['kafka', 'dead_letter_topic'],
        message: 'the dead-letter topic must differ from the audit topic',
      });
  });

export type AuditConfig = z.output<typeof auditConfigSchema>;
export type AuditConfigInput = z.input<typeof auditConfigSchema>;
export type WebhookConfig = z.output<typeof webhookSchema>;

/** Reads and validates `audit.yaml`; throws `ConfigError` naming every bad key. */
export function loadAuditConfig(path: string, env?: NodeJS.ProcessEnv): AuditConfig {
  return loadYamlConfig(path, auditConfigSchema, env === undefined ? {} : { env });
}
