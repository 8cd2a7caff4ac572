import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { ensureStack } from '../../../test/support/stack.ts';
import { elasticsearchExporterConfigSchema as schema } from './config.ts';
import { buildTemplates, deadLetterPattern, detectFeatures } from './templates.ts';

const UNSUPPORTED_HERE = ['match_only_text', 'wildcard', 'constant_keyword'];

describe('index templates', () => {
  it('cover logs, spans and dead letters above the built-in logs template', () => {
    const [logs, traces, dl] = buildTemplates(schema.parse({}));
    assert.equal(logs?.name, 'tributary-logs');
    assert.deepEqual(logs?.body.index_patterns, ['logs-*-*']);
    assert.deepEqual(traces?.body.index_patterns, ['traces-zipkin-*']);
    assert.deepEqual(dl?.body.index_patterns, ['logs-tributary.deadletter-*']);
    assert.equal(logs?.body.priority, 200);
    assert.equal(traces?.body.priority, 200);
    assert.equal(dl?.body.priority, 201, 'the dead-letter stream also matches logs-*-*');
    for (const t of [logs, traces, dl]) assert.deepEqual(t?.body.data_stream, {});
  });

  it('map the ECS fields with types every Elasticsearch has', () => {
    const [logs] = buildTemplates(schema.parse({}));
    const mappings = logs?.body.template?.mappings;
    const p = mappings?.properties as Record<string, { type?: string; properties?: Record<string, unknown> }>;
    const at = (path: string): unknown => {
      let node: unknown = { properties: p };
      for (const k of path.split('.'))
        node = (node as { properties?: Record<string, unknown> }).properties?.[k];
      return (node as { type?: string } | undefined)?.type;
    };
    const expected: Record<string, string> = {
      '@timestamp': 'date_nanos',
      message: 'text',
      'log.level': 'keyword',
      'service.name': 'keyword',
      'trace.id': 'keyword',
      'span.id': 'keyword',
      'parent.id': 'keyword',
      'event.id': 'keyword',
      'event.duration': 'long',
      'span.name': 'keyword',
      'span.kind': 'keyword',
      'kubernetes.namespace': 'keyword',
      'kubernetes.pod.name': 'keyword',
      'kubernetes.labels': 'flattened',
      'kubernetes.annotations': 'flattened',
      labels: 'flattened',
      'host.name': 'keyword',
      'user.id': 'keyword',
      'user.name': 'keyword',
      'event.action': 'keyword',
      'event.outcome': 'keyword',
      'event.category': 'keyword',
      'source.ip': 'ip',
    };
    for (const [path, type] of Object.entries(expected)) assert.equal(at(path), type, path);
    assert.equal(mappings?.date_detection, false);
    assert.deepEqual(mappings?.dynamic_templates?.[0], {
      strings_as_keyword: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } },
    });
    const all = JSON.stringify(buildTemplates(schema.parse({})));
    for (const t of UNSUPPORTED_HERE) assert.ok(!all.includes(`"${t}"`), t);
  });

  it('set replicas only when configured, and ILM only where detected', () => {
    const plain = buildTemplates(schema.parse({ ilm_policy: 'logs' }));
    assert.deepEqual(plain[0]?.body.template?.settings, { 'index.mapping.total_fields.limit': 2000 });
    const noIlm = buildTemplates(schema.parse({ ilm_policy: 'logs' }), { ilm: false, dataStreamApi: true });
    assert.equal(noIlm[0]?.body.template?.settings?.['index.lifecycle.name'], undefined);
    const full = buildTemplates(schema.parse({ ilm_policy: 'logs', templates: { replicas: 0 } }), {
      ilm: true,
      dataStreamApi: true,
    });
    for (const t of full) {
      assert.equal(t.body.template?.settings?.['index.lifecycle.name'], 'logs');
      assert.equal(t.body.template?.settings?.['index.number_of_replicas'], 0);
    }
  });

  it('derive the dead-letter pattern from the stream name', () => {
    assert.equal(deadLetterPattern('logs-tributary.deadletter-default'), 'logs-tributary.deadletter-*');
  });

  describe('against the real server', () => {
    let client: Client;
    before(async () => {
      const { elasticsearchUrl } = await ensureStack();
      client = new Client({ node: elasticsearchUrl });
    });
    after(async () => {
      await client.close();
    });

    it('detects what the local server lacks (ILM, data stream APIs)', async () => {
      assert.deepEqual(await detectFeatures(client, AbortSignal.timeout(10_000)), {
        ilm: false,
        dataStreamApi: false,
      });
    });

    it('has the default templates accepted (simulated: nothing installed on the shared server)', async () => {
      const features = await detectFeatures(client, AbortSignal.timeout(10_000));
      for (const t of buildTemplates(
        schema.parse({ ilm_policy: 'p', templates: { replicas: 0 } }),
        features,
      )) {
        // With the name: a same-named template already installed (by a collector run) is replaced in
        // the simulation instead of clashing with it on priority.
        const res = await client.indices.simulateTemplate({ name: t.name, ...t.body });
        assert.equal(res.template.mappings?.properties?.['@timestamp']?.type, 'date_nanos', t.name);
      }
    });
  });
});
