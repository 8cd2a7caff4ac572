import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConfigError, configTable, loadYamlConfig } from '../../../common/config/index.ts';
import { zipkinExporterConfigSchema } from './config.ts';

describe('zipkin exporter config', () => {
  it('has defaults', () => {
    assert.deepEqual(zipkinExporterConfigSchema.parse({}), {
      endpoint: 'http://127.0.0.1:9411',
      max_batch_spans: 512,
      max_batch_bytes: 4 * 1024 * 1024,
      request_timeout: 10_000,
      compression: 'none',
      retry: { initial_backoff: 100, max_backoff: 30_000 },
    });
  });

  it('reads YAML with units and ${ENV} headers', () => {
    const cfg = loadYamlConfig(
      {
        text: 'endpoint: https://zipkin.example:9411/\nmax_batch_bytes: 1MiB\nrequest_timeout: 2s\ncompression: gzip\nretry:\n  max_backoff: 1m\nheaders:\n  Authorization: Bearer ${TOKEN}\n',
        source: 'zipkin.yaml',
      },
      zipkinExporterConfigSchema,
      { env: { TOKEN: 's3cret' } },
    );
    assert.equal(cfg.max_batch_bytes, 1024 * 1024);
    assert.equal(cfg.request_timeout, 2000);
    assert.deepEqual(cfg.retry, { initial_backoff: 100, max_backoff: 60_000 });
    assert.deepEqual(cfg.headers, { Authorization: 'Bearer s3cret' });
  });

  it('rejects bad values with their path', () => {
    assert.throws(
      () =>
        loadYamlConfig(
          {
            text: 'endpoint: ftp://x\nmax_batch_spans: 0\ncompression: zstd\nretrys: {}\n',
            source: 'z.yaml',
          },
          zipkinExporterConfigSchema,
        ),
      (err: unknown) =>
        err instanceof ConfigError &&
        /endpoint/.test(err.message) &&
        /max_batch_spans/.test(err.message) &&
        /compression/.test(err.message) &&
        /retrys/.test(err.message),
    );
  });

  it('is documented in the README by the generated table', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    assert.ok(
      readme.includes(configTable(zipkinExporterConfigSchema, { prefix: 'exporters.zipkin' })),
      'README config table is stale',
    );
  });
});
