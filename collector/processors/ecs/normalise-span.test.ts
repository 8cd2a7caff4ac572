import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidSpanError, normaliseSpan, zipkinSpanProblem } from './normalise-span.ts';
import type { ZipkinSpan } from './types.ts';

const span: ZipkinSpan = {
  traceId: '5982fe77008310cc80f1da5e10147517',
  id: '80f1da5e10147517',
  parentId: '90394f6bcffb5d13',
  name: 'get /orders',
  kind: 'SERVER',
  timestamp: 1714564800123456,
  duration: 2500,
  localEndpoint: { serviceName: 'orders', ipv4: '10.0.0.5', port: 8080 },
  remoteEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.9', port: 51234 },
  tags: { 'http.method': 'GET', 'http.path': '/orders', 'k8s.namespace.name': 'shop-prod', error: 'timeout' },
  annotations: [{ timestamp: 1714564800124000, value: 'ws' }],
  shared: true,
};

describe('normaliseSpan', () => {
  it('maps a Zipkin v2 span to ECS', () => {
    const before = structuredClone(span);
    const d = normaliseSpan(Object.freeze(span));
    assert.deepEqual(span, before);
    assert.equal(d['@timestamp'], '2024-05-01T12:00:00.123456000Z');
    assert.deepEqual(d.trace, { id: '5982fe77008310cc80f1da5e10147517' });
    assert.deepEqual(d.span, { id: '80f1da5e10147517', name: 'get /orders', kind: 'SERVER' });
    assert.deepEqual(d.parent, { id: '90394f6bcffb5d13' });
    assert.deepEqual(d.service, { name: 'orders' });
    assert.equal(d.event.duration, 2_500_000);
    assert.equal(d.event.outcome, 'failure');
    assert.equal(d.event.id, '5982fe77008310cc80f1da5e10147517-80f1da5e10147517-server');
    assert.deepEqual(d.data_stream, { type: 'traces', dataset: 'zipkin', namespace: 'shop_prod' });
    assert.deepEqual(d.labels, {
      http_method: 'GET',
      http_path: '/orders',
      k8s_namespace_name: 'shop-prod',
      error: 'timeout',
    });
    assert.deepEqual(d.host, { ip: ['10.0.0.5'] });
    assert.deepEqual(d['destination'], { ip: '10.0.0.9', port: 51234 });
    assert.deepEqual(d['zipkin'], {
      local_endpoint: { service_name: 'orders', ipv4: '10.0.0.5', port: 8080 },
      remote_endpoint: { service_name: 'frontend', ipv4: '10.0.0.9', port: 51234 },
      annotations: [{ timestamp: 1714564800124000, value: 'ws' }],
      shared: true,
    });
  });

  it('handles a minimal span and normalises ids like Zipkin', () => {
    const d = normaliseSpan(
      { traceId: 'ABC', id: '1', timestamp: 0 },
      { defaultNamespace: 'ns', namespaceTag: 'x' },
    );
    assert.equal(d.trace?.id, '0000000000000abc');
    assert.equal(d.span?.id, '0000000000000001');
    assert.equal(d.event.id, '0000000000000abc-0000000000000001-span');
    assert.equal(d.data_stream.namespace, 'ns');
    assert.equal(d.service, undefined);
    assert.equal(d.labels, undefined);
    assert.equal(d['zipkin'], undefined);
  });

  it('gives client and server halves of a shared span different ids', () => {
    const client = normaliseSpan({ ...span, kind: 'CLIENT', shared: false });
    assert.notEqual(client.event.id, normaliseSpan(span).event.id);
  });

  it('sanitises label keys and hostile namespace tags', () => {
    const d = normaliseSpan({
      traceId: 'a',
      id: 'b',
      tags: JSON.parse('{"__proto__": "x", "a b/c*": "1", "k8s.namespace.name": "../_All"}') as Record<
        string,
        string
      >,
    });
    assert.equal(({} as Record<string, unknown>)['x'], undefined);
    assert.equal(Object.getPrototypeOf(d.labels), Object.prototype);
    assert.equal(d.labels?.['a_b_c_'], '1');
    assert.equal(d.data_stream.namespace, 'all');
  });

  it('uses the clock when the span has no timestamp', () => {
    const d = normaliseSpan(
      { traceId: 'a', id: 'b' },
      { defaultNamespace: 'default', namespaceTag: 'x', now: () => 0 },
    );
    assert.equal(d['@timestamp'], '1970-01-01T00:00:00.000000000Z');
    assert.equal(d.tributary?.time_invalid, true);
  });

  it('rejects what is not a span with a reason', () => {
    const bad: [unknown, RegExp][] = [
      [null, /JSON object/],
      [[], /JSON object/],
      [{ id: 'a' }, /traceId/],
      [{ traceId: 'xyz', id: 'a' }, /traceId/],
      [{ traceId: 'a'.repeat(33), id: 'a' }, /traceId/],
      [{ traceId: 'a', id: 'a'.repeat(17) }, /id must/],
      [{ traceId: 'a', id: 'a', parentId: 5 }, /parentId/],
      [{ traceId: 'a', id: 'a', kind: 'server' }, /kind/],
      [{ traceId: 'a', id: 'a', timestamp: -1 }, /timestamp/],
      [{ traceId: 'a', id: 'a', timestamp: '1' }, /timestamp/],
      [{ traceId: 'a', id: 'a', duration: 1.5 }, /duration/],
      [{ traceId: 'a', id: 'a', tags: { a: 1 } }, /tags\.a/],
      [{ traceId: 'a', id: 'a', annotations: [{ value: 'x' }] }, /annotation/],
      [{ traceId: 'a', id: 'a', localEndpoint: 'x' }, /localEndpoint/],
      [{ traceId: 'a', id: 'a', remoteEndpoint: { port: 70000 } }, /remoteEndpoint\.port/],
      [{ traceId: 'a', id: 'a', shared: 'yes' }, /shared/],
    ];
    for (const [v, re] of bad) {
      assert.match(zipkinSpanProblem(v) ?? '', re, JSON.stringify(v));
      assert.throws(() => normaliseSpan(v as ZipkinSpan), InvalidSpanError);
    }
    assert.equal(zipkinSpanProblem(span), undefined);
  });
});
