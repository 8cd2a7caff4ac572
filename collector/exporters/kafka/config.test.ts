import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConfigError, configTable, loadYamlConfig } from '../../../common/config/index.ts';
import { kafkaExporterConfigSchema } from './config.ts';

describe('kafka exporter config', () => {
  it('has defaults', () => {
    assert.deepEqual(kafkaExporterConfigSchema.parse({}), {
      brokers: ['127.0.0.1:9092'],
      client_id: 'tributary-collector',
      topic: 'tributary-audit',
      partitions: 6,
      replication_factor: 1,
      compression: 'none',
      max_batch_messages: 500,
      max_batch_bytes: 1024 * 1024,
      request_timeout: 30_000,
      retry: { initial_backoff: 100, max_backoff: 30_000 },
    });
  });

  it('reads a production-like YAML with TLS and SCRAM from the environment', () => {
    const cfg = loadYamlConfig(
      {
        text: [
          'brokers: [kafka-0.kafka:9093, kafka-1.kafka:9093]',
          'replication_factor: 3',
          'topic_config:',
          '  min.insync.replicas: "2"',
          'compression: gzip',
          'ssl:',
          '  ca_file: /etc/kafka/ca.pem',
          'sasl:',
          '  mechanism: scram-sha-512',
          '  username: collector',
          '  password: ${KAFKA_PASSWORD}',
          '',
        ].join('\n'),
        source: 'kafka.yaml',
      },
      kafkaExporterConfigSchema,
      { env: { KAFKA_PASSWORD: 'pw' } },
    );
    assert.equal(cfg.replication_factor, 3);
    assert.deepEqual(cfg.ssl, { ca_file: '/etc/kafka/ca.pem', reject_unauthorized: true });
    assert.deepEqual(cfg.sasl, { mechanism: 'scram-sha-512', username: 'collector', password: 'pw' });
    assert.deepEqual(cfg.topic_config, { 'min.insync.replicas': '2' });
  });

  it('rejects bad values with their path', () => {
    assert.throws(
      () =>
        loadYamlConfig(
          {
            text: 'brokers: [nohost]\ntopic: "bad topic"\npartitions: 0\nsasl: {mechanism: gssapi, username: a, password: b}\n',
            source: 'k.yaml',
          },
          kafkaExporterConfigSchema,
        ),
      (err: unknown) =>
        err instanceof ConfigError &&
        /brokers/.test(err.message) &&
        /topic/.test(err.message) &&
        /partitions/.test(err.message) &&
        /sasl\.mechanism/.test(err.message),
    );
  });

  it('is documented in the README by the generated table', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    assert.ok(
      readme.includes(configTable(kafkaExporterConfigSchema, { prefix: 'exporters.kafka' })),
      'README config table is stale',
    );
  });
});
