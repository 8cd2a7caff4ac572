import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configTable } from '../../../common/config/schema-doc.ts';
import { dataStreamNameProblem, elasticsearchExporterConfigSchema as schema } from './config.ts';

describe('elasticsearch exporter config', () => {
  it('has defaults for everything', () => {
    assert.deepEqual(schema.parse({}), {
      endpoints: ['http://127.0.0.1:9200'],
      tls: { rejectUnauthorized: true },
      maxBatchBytes: 5 * 1024 * 1024,
      maxBatchDocs: 10_000,
      flushInterval: 1000,
      requestTimeout: 30_000,
      concurrency: 2,
      retry: { initialBackoff: 100, maxBackoff: 30_000 },
      compression: false,
      templates: {
        install: true,
        priority: 200,
        totalFieldsLimit: 2000,
        namePrefix: 'tributary',
        logsIndexPatterns: ['logs-*-*'],
        tracesIndexPatterns: ['traces-zipkin-*'],
      },
      deadLetter: { dataStream: 'logs-tributary.deadletter-default' },
    });
  });

  it('takes either basic auth or an API key, not both', () => {
    assert.deepEqual(schema.parse({ auth: { username: 'u', password: 'p' } }).auth, {
      username: 'u',
      password: 'p',
    });
    assert.deepEqual(schema.parse({ auth: { apiKey: 'k' } }).auth, { apiKey: 'k' });
    assert.equal(schema.safeParse({ auth: { username: 'u', password: 'p', apiKey: 'k' } }).success, false);
  });

  it('refuses bad values with the path of the key', () => {
    const bad: Array<[unknown, string]> = [
      [{ endpoints: ['ftp://x'] }, 'endpoints'],
      [{ endpoints: [] }, 'endpoints'],
      [{ maxBatchBytes: 10 }, 'maxBatchBytes'],
      [{ retry: { initialBackoff: 0 } }, 'retry.initialBackoff'],
      [{ templates: { priority: 100 } }, 'templates.priority'],
      [{ templates: { replicas: -1 } }, 'templates.replicas'],
      [{ templates: { logsIndexPatterns: ['logs/*'] } }, 'templates.logsIndexPatterns.0'],
      [{ deadLetter: { dataStream: 'Logs-x-y' } }, 'deadLetter.dataStream'],
      [{ deadLetter: { dataStream: 'logs-x' } }, 'deadLetter.dataStream'],
      [{ unknownKey: 1 }, ''],
    ];
    for (const [input, path] of bad) {
      const r = schema.safeParse(input);
      assert.equal(r.success, false, JSON.stringify(input));
      assert.ok(
        r.error.issues.some((i) => i.path.join('.') === path),
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
