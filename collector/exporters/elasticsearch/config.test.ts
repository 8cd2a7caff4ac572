import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configTable } from '../../../common/config/schema-doc.ts';
import { dataStreamNameProblem, elasticsearchExporterConfigSchema as schema } from './config.ts';

describe('elasticsearch exporter config', () => {
  it('has defaults for everything', () => {
    assert.deepEqual(schema.parse({}), {
      endpoints: ['http://127.0.0.1:9200'],
      tls: { reject_unauthorized: true },
      max_batch_bytes: 5 * 1024 * 1024,
      max_batch_docs: 10_000,
      flush_interval: 200,
      request_timeout: 30_000,
      concurrency: 2,
      retry: { initial_backoff: 100, max_backoff: 30_000 },
      compression: false,
      templates: {
        install: true,
        priority: 200,
        total_fields_limit: 2000,
        name_prefix: 'tributary',
        logs_index_patterns: ['logs-*-*'],
        traces_index_patterns: ['traces-zipkin-*'],
      },
      dead_letter: { data_stream: 'logs-tributary.deadletter-default' },
    });
  });

  it('takes either basic auth or an API key, not both', () => {
    assert.deepEqual(schema.parse({ auth: { username: 'u', password: 'p' } }).auth, {
      username: 'u',
      password: 'p',
    });
    assert.deepEqual(schema.parse({ auth: { api_key: 'k' } }).auth, { api_key: 'k' });
    assert.equal(schema.safeParse({ auth: { username: 'u', password: 'p', api_key: 'k' } }).success, false);
  });

  it('refuses bad values with the path of the key', () => {
    const bad: Array<[unknown, string]> = [
      [{ endpoints: ['ftp://x'] }, 'endpoints'],
      [{ endpoints: [] }, 'endpoints'],
      [{ max_batch_bytes: 10 }, 'max_batch_bytes'],
      [{ retry: { initial_backoff: 0 } }, 'retry.initial_backoff'],
      [{ templates: { priority: 100 } }, 'templates.priority'],
      [{ templates: { replicas: -1 } }, 'templates.replicas'],
      [{ templates: { logs_index_patterns: ['logs/*'] } }, 'templates.logs_index_patterns'],
      [{ dead_letter: { data_stream: 'Logs-x-y' } }, 'dead_letter.data_stream'],
      [{ dead_letter: { data_stream: 'logs-x' } }, 'dead_letter.data_stream'],
      [{ unknownKey: 1 }, ''],
    ];
    for (const [input, path] of bad) {
      const r = schema.safeParse(input);
      assert.equal(r.success, false, JSON.stringify(input));
      assert.ok(
        r.error.issues.some((i) => i.path.join('.').startsWith(path)),
        `${JSON.stringify(input)}: ${JSON.stringify(r.error.issues)}`,
      );
    }
  });

  it('accepts only logs-<dataset>-<namespace> dead-letter streams', () => {
    assert.equal(dataStreamNameProblem('logs-tributary.deadletter-default'), undefined);
    assert.equal(dataStreamNameProblem('logs-a.b-ns_1'), undefined);
    assert.ok(dataStreamNameProblem('traces-x-y'));
    assert.ok(dataStreamNameProblem('logs-x-y-z'));
    assert.ok(dataStreamNameProblem('logs-x*-y'));
    assert.ok(dataStreamNameProblem('logs-x-Y'));
  });

  it('is documented in the README by the generated table', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    assert.ok(
      readme.includes(configTable(schema, { prefix: 'exporters.elasticsearch' })),
      'README config table is stale',
    );
  });
});
