import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConfigError, configTable, loadYamlConfig } from '../../../common/config/index.ts';
import { normaliseLog, normaliseSpan } from '../ecs/index.ts';
import { routeConfigSchema } from './config.ts';
import { AUDIT_DESTINATIONS, createRouter, LOG_DESTINATIONS, SPAN_DESTINATIONS } from './route.ts';

const T = { seconds: 1714564800, nanoseconds: 0 };

describe('route', () => {
  const router = createRouter(routeConfigSchema.parse({ audit: { tags: ['audit.*', '*.security'] } }));
  const log = (tag: string, record: Record<string, unknown>) =>
    normaliseLog(
      { tag, time: T, record },
      {
        defaultNamespace: 'default',
        defaultDataset: 'generic',
        serviceLabelKeys: [],
        isAuditTag: router.isAuditTag,
      },
    );

  it('sends logs to Elasticsearch', () => {
    assert.deepEqual(router.route(log('orders.app', { message: 'x' })), ['elasticsearch']);
  });

  it('sends spans to Zipkin and Elasticsearch', () => {
    assert.deepEqual(router.route(normaliseSpan({ traceId: 'a', id: 'b' })), ['zipkin', 'elasticsearch']);
  });

  it('sends audit events to Kafka as well, by record flag or by tag', () => {
    assert.deepEqual(router.route(log('orders.app', { audit: true })), ['elasticsearch', 'kafka']);
    assert.deepEqual(router.route(log('audit.orders', { message: 'x' })), ['elasticsearch', 'kafka']);
    assert.deepEqual(router.route(log('node.security', { message: 'x' })), ['elasticsearch', 'kafka']);
    assert.deepEqual(router.route(log('orders.audit', { message: 'x' })), ['elasticsearch']);
  });

  it('cannot be talked into auditing by a record claiming tributary.audit', () => {
    assert.deepEqual(
      router.route(log('orders.app', { tributary: { audit: true }, 'tributary.audit': true })),
      ['elasticsearch'],
    );
  });

  it('returns shared frozen answers', () => {
    assert.equal(router.route(log('a', {})), LOG_DESTINATIONS);
    assert.ok(
      Object.isFrozen(LOG_DESTINATIONS) &&
        Object.isFrozen(SPAN_DESTINATIONS) &&
        Object.isFrozen(AUDIT_DESTINATIONS),
    );
  });
});

describe('route config', () => {
  it('defaults to no audit tags', () => {
    assert.deepEqual(routeConfigSchema.parse({}), { audit: { tags: [] } });
  });
  it('rejects unknown keys with a suggestion', () => {
    assert.throws(
      () => loadYamlConfig({ text: 'audit:\n  tag: [audit.*]\n', source: 'route.yaml' }, routeConfigSchema),
      (e: unknown) =>
        e instanceof ConfigError &&
        /route\.yaml:2:3: audit\.tag: unknown key `tag`, did you mean `tags`\?/.test(e.message),
    );
  });
  it('is documented in the README by the generated table', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    assert.ok(
      readme.includes(configTable(routeConfigSchema, { prefix: 'processors.route' })),
      'README config table is stale',
    );
  });
});
