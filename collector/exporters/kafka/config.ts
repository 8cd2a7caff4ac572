import { z } from 'zod';
import { retryConfigSchema } from '../retry.ts';
import { duration, size } from '../../../common/config/index.ts';

/** Kafka's own rule for topic names (kafka.common.internals.Topic): legal characters, at most 249. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

const saslSchema = z
  .strictObject({
    mechanism: z
      .enum(['plain', 'scram-sha-256', 'scram-sha-512'])
      .describe('SASL mechanism. Use `plain` only over TLS: it sends the password as it is.'),
    username: z.string().min(1).describe('SASL user name.'),
    password: z.string().min(1).describe('SASL password; write it as `${ENV_VAR}` rather than in the file.'),
  })
  .describe('SASL authentication; absent: none.');

const sslSchema = z
  .strictObject({
    ca_file: z
      .string()
      .min(1)
      .optional()
      .describe("PEM file of the CA(s) that signed the brokers' certificates; absent: Node's default CAs."),
    reject_unauthorized: z
      .boolean()
      .default(true)
      .describe("Verify the brokers' certificates. `false` only for testing: it allows a man in the middle."),
  })
  .describe('TLS to the brokers; present (even `{}`) turns TLS on.');

/** `exporters.kafka` in the collector's config. */
export const kafkaExporterConfigSchema = z.strictObject({
  brokers: z
    .array(z.string().regex(/^[^\s:]+:[0-9]{1,5}$/, 'expected host:port'))
    .min(1)
    .default(['127.0.0.1:9092'])
    .describe('Bootstrap brokers, `host:port`; the rest of the cluster is found from their metadata.'),
  client_id: z
    .string()
    .min(1)
    .default('tributary-collector')
    .describe('Client id the brokers see in their logs, quotas and metrics.'),
  topic: z
    .string()
    .regex(TOPIC_NAME, 'a Kafka topic name is 1–249 characters of [a-zA-Z0-9._-]')
    .refine((t) => t !== '.' && t !== '..', 'a topic cannot be named "." or ".."')
    .default('tributary-audit')
    .describe('Topic the audit events go to; created at start if absent.'),
  partitions: z
    .int()
    .min(1)
    .max(10_000)
    .default(6)
    .describe(
      'Partitions when the exporter creates the topic (an existing topic is left as it is). Each partition is one audit hash chain.',
    ),
  replication_factor: z
    .int()
    .min(1)
    .max(32)
    .default(1)
    .describe(
      'Replicas when the exporter creates the topic: 1 for the local single broker, 3 in production.',
    ),
  topic_config: z
    .record(
      z.string().regex(/^[a-z0-9.]+$/, 'expected a Kafka config name like min.insync.replicas'),
      z.string(),
    )
    .optional()
    .describe(
      'Topic configs set when the exporter creates the topic, e.g. `min.insync.replicas: "2"`, `max.message.bytes: "1048588"`.',
    ),
  compression: z
    .enum(['none', 'gzip'])
    .default('none')
    .describe(
      'Record batch compression. `gzip` is built into kafkajs; other codecs would need extra packages.',
    ),
  max_batch_messages: z
    .int()
    .min(1)
    .max(100_000)
    .default(500)
    .describe('Most messages in one produce call; a larger `send` is split.'),
  max_batch_bytes: size()
    .prefault('1MiB')
    .refine((n) => n >= 1024, 'max_batch_bytes must be at least 1KiB')
    .describe(
      "Most bytes (uncompressed records) in one produce call; also capped at the topic's `max.message.bytes`, since one call may put every message in one partition's record batch.",
    ),
  request_timeout: duration()
    .prefault('30s')
    .refine((n) => n > 0, 'request_timeout must be > 0')
    .describe(
      'Time a broker has to answer a request (produce: to have all in-sync replicas write it). A bare number is seconds.',
    ),
  retry: retryConfigSchema('broker or leader not available, timeouts, connection errors'),
  ssl: sslSchema.optional(),
  sasl: saslSchema.optional(),
});

export type KafkaExporterConfig = z.output<typeof kafkaExporterConfigSchema>;
export type KafkaExporterConfigInput = z.input<typeof kafkaExporterConfigSchema>;
