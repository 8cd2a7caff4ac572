import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseLog } from './normalise-log.ts';
import type { NormaliseLogOptions } from './normalise-log.ts';
import type { LogEvent } from './types.ts';

const T = { seconds: 1714564800, nanoseconds: 123456789 };
const ev = (record: unknown, tag = 'orders.app', time: LogEvent['time'] = T): LogEvent => ({
  tag,
  time,
  record,
});

function deepFreeze<V>(v: V): V {
  if (typeof v === 'object' && v !== null) {
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}

const fluentBitK8s = {
  log: '2024-05-01 GET /orders 200\n',
  stream: 'stdout',
  kubernetes: {
    pod_name: 'orders-7d9f8-abcde',
    namespace_name: 'shop-prod',
    pod_id: '3f1c-uid',
    labels: { app: 'orders', 'app.kubernetes.io/name': 'orders-api', 'pod-template-hash': '7d9f8' },
    annotations: { 'prometheus.io/scrape': 'true' },
    host: 'node-1',
    container_name: 'orders',
    docker_id: 'c0ffee',
    container_hash: 'sha256:abc',
    container_image: 'registry/orders:1.2',
  },
};

describe('normaliseLog: core fields', () => {
  it('maps a Fluent Bit kubernetes record to ECS', () => {
    const doc = normaliseLog(ev(fluentBitK8s, 'kube.var.log.containers.orders.log'));
    assert.equal(doc['@timestamp'], '2024-05-01T12:00:00.123456789Z');
    assert.equal(doc.message, '2024-05-01 GET /orders 200\n');
    assert.equal(doc['stream'], 'stdout');
    assert.deepEqual(doc.service, { name: 'orders-api' });
    assert.deepEqual(doc.host, { name: 'node-1' });
    assert.deepEqual(doc.kubernetes, {
      pod: { name: 'orders-7d9f8-abcde', uid: '3f1c-uid' },
      namespace: 'shop-prod',
      node: { name: 'node-1' },
      container: { name: 'orders' },
      labels: { app: 'orders', 'app_kubernetes_io/name': 'orders-api', 'pod-template-hash': '7d9f8' },
      annotations: { 'prometheus_io/scrape': 'true' },
    });
    assert.deepEqual(doc.container, {
      id: 'c0ffee',
      name: 'orders',
      image: { name: 'registry/orders:1.2', hash: { all: ['sha256:abc'] } },
    });
    assert.deepEqual(doc.orchestrator, { type: 'kubernetes', namespace: 'shop-prod' });
    assert.deepEqual(doc.data_stream, { type: 'logs', dataset: 'orders_api', namespace: 'shop_prod' });
    assert.equal(doc.event.dataset, 'orders_api');
    assert.equal(doc.tributary, undefined);
  });

  it('takes message from message, then msg, then log', () => {
    assert.equal(normaliseLog(ev({ message: 'a', msg: 'b', log: 'c' })).message, 'a');
    const d = normaliseLog(ev({ msg: 'b', log: 'c' }));
    assert.equal(d.message, 'b');
    assert.deepEqual(d.tributary?.original, { log: 'c' });
    const d2 = normaliseLog(ev({ message: 'a', msg: 'b' }));
    assert.equal(d2['msg'], 'b');
    assert.equal(normaliseLog(ev({ log: 'c' })).message, 'c');
    assert.equal(normaliseLog(ev({ message: 42 })).message, '42');
    assert.equal(normaliseLog(ev({})).message, undefined);
  });

  it('maps levels from level, severity, levelname and log.level', () => {
    const level = (r: object) => normaliseLog(ev(r)).log?.level;
    assert.equal(level({ level: 30 }), 'info');
    assert.equal(normaliseLog(ev({ level: 50 })).event.severity, 50);
    assert.equal(level({ level: 'WARNING' }), 'warn');
    assert.equal(level({ severity: 'ERROR' }), 'error');
    assert.equal(level({ levelname: 'CRITICAL' }), 'fatal');
    assert.equal(level({ 'log.level': 'debug', level: 'error' }), 'debug');
    assert.deepEqual(normaliseLog(ev({ log: { level: 'Info', logger: 'x' } })).log, {
      level: 'info',
      logger: 'x',
    });
    const junk = normaliseLog(ev({ log: { level: ['x'], logger: 'x' } }));
    assert.deepEqual(junk.log, { logger: 'x' });
    assert.deepEqual(junk.tributary?.original?.['log.level'], ['x']);
    assert.deepEqual(normaliseLog(ev({ log: { logger: 'app' }, level: 'info' })).log, {
      logger: 'app',
      level: 'info',
    });
  });

  it('keeps non-string or unusable levels without failing', () => {
    const d = normaliseLog(ev({ level: { nested: true }, severity: 'E' }));
    assert.equal(d.log?.level, 'error');
    assert.deepEqual(d['level'], { nested: true });
    const d2 = normaliseLog(ev({ level: true }));
    assert.equal(d2.log, undefined);
    assert.equal(d2['level'], true);
    const d3 = normaliseLog(ev({ 'log.level': 'x'.repeat(100) }));
    assert.equal(d3.log, undefined);
    assert.equal(d3.tributary?.original?.['log.level'], 'x'.repeat(100));
  });

  it('maps trace and span ids from every usual spelling, lower-cased', () => {
    for (const r of [
      { trace_id: 'ABC123', span_id: 'DEF' },
      { traceId: 'abc123', spanId: 'def' },
      { 'trace.id': 'abc123', 'span.id': 'def' },
      { trace: { id: 'abc123' }, span: { id: 'def' } },
    ]) {
      const d = normaliseLog(ev(r));
      assert.equal(d.trace?.id, 'abc123', JSON.stringify(r));
      assert.equal(d.span?.id, 'def', JSON.stringify(r));
      assert.equal(d['trace_id'], undefined);
    }
    const conflict = normaliseLog(ev({ 'trace.id': 'aaa', trace_id: 'bbb' }));
    assert.equal(conflict.trace?.id, 'aaa');
    assert.equal(conflict['trace_id'], 'bbb');
    const bad = normaliseLog(ev({ trace_id: 12, 'span.id': { x: 1 } }));
    assert.equal(bad.trace, undefined);
    assert.equal(bad['trace_id'], 12);
    assert.deepEqual(bad.tributary?.original?.['span.id'], { x: 1 });
  });

  it('finds the service in the record, then pod labels, then the container, then the tag', () => {
    assert.equal(normaliseLog(ev({ 'service.name': 'a', service: 'b' })).service?.name, 'a');
    assert.deepEqual(normaliseLog(ev({ service: { name: 'svc', version: '1.0' } })).service, {
      name: 'svc',
      version: '1.0',
    });
    assert.equal(normaliseLog(ev({ service: 'b' })).service?.name, 'b');
    assert.equal(
      normaliseLog(ev({ kubernetes: { labels: { app: 'lbl' }, container_name: 'ctr' } })).service?.name,
      'lbl',
    );
    assert.equal(normaliseLog(ev({ kubernetes: { labels: { 'k8s-app': 'dns' } } })).service?.name, 'dns');
    assert.equal(normaliseLog(ev({ kubernetes: { container_name: 'ctr' } })).service?.name, 'ctr');
    const byTag = normaliseLog(ev({ message: 'x' }, 'Payments-Svc.access'));
    assert.equal(byTag.service?.name, 'Payments-Svc');
    assert.equal(byTag.data_stream.dataset, 'payments_svc');
    const opts: NormaliseLogOptions = {
      defaultNamespace: 'ns',
      defaultDataset: 'misc',
      serviceLabelKeys: ['team'],
    };
    const custom = normaliseLog(ev({ kubernetes: { labels: { team: 'blue', app: 'x' } } }), opts);
    assert.equal(custom.service?.name, 'blue');
    assert.equal(custom.data_stream.namespace, 'ns');
    assert.equal(normaliseLog(ev({}, ''), opts).data_stream.dataset, 'misc');
  });

  it('takes host.name from host.name, host, hostname, then the node', () => {
    assert.equal(normaliseLog(ev({ hostname: 'h1' })).host?.name, 'h1');
    assert.equal(normaliseLog(ev({ host: 'h2', hostname: 'h1' })).host?.name, 'h2');
    assert.deepEqual(normaliseLog(ev({ host: { name: 'h3', ip: ['10.0.0.1'] } })).host, {
      name: 'h3',
      ip: ['10.0.0.1'],
    });
    assert.equal(normaliseLog(ev({ kubernetes: { host: 'node-9' } })).host?.name, 'node-9');
  });

  it('lets event.dataset choose the dataset but never the namespace', () => {
    const d = normaliseLog(ev({ 'event.dataset': 'Orders.Access', kubernetes: { namespace_name: 'a' } }));
    assert.equal(d.data_stream.dataset, 'orders.access');
    assert.equal(d.data_stream.namespace, 'a');
    const evil = normaliseLog(
      ev({ data_stream: { namespace: 'other', dataset: 'x' }, 'data_stream.namespace': 'y' }),
    );
    assert.equal(evil.data_stream.namespace, 'default');
    assert.deepEqual(evil.tributary?.original, {
      data_stream: { namespace: 'other', dataset: 'x' },
      'data_stream.namespace': 'y',
    });
  });

  it('keeps unknown fields under their own names, nested or dotted', () => {
    const d = normaliseLog(ev({ 'http.status': 200, req: { url: '/x', headers: { a: 1 } }, tags: ['a'] }));
    assert.equal(d['http.status'], 200);
    assert.deepEqual(d['req'], { url: '/x', headers: { a: 1 } });
    assert.deepEqual(d['tags'], ['a']);
    assert.deepEqual(normaliseLog(ev({ http: { method: 'GET' } }))['http'], { method: 'GET' });
  });

  it('moves values that clash with ECS fields to tributary.original', () => {
    const d = normaliseLog(
      ev({
        message: 'm',
        log: 'also m',
        '@timestamp': 'yesterday',
        user: 'alice',
        http: 'GET',
        tributary: { audit: true },
        'message.extra': 1,
        '': 'empty',
        '.dot': 1,
        'dot.': 2,
        'a..b': 3,
        event: 'string event',
      }),
    );
    assert.equal(d['@timestamp'], '2024-05-01T12:00:00.123456789Z');
    assert.equal(d.tributary?.audit, undefined);
    assert.deepEqual(d.tributary?.original, {
      log: 'also m',
      '@timestamp': 'yesterday',
      user: 'alice',
      http: 'GET',
      tributary: { audit: true },
      'message.extra': 1,
      '': 'empty',
      '.dot': 1,
      'dot.': 2,
      'a..b': 3,
      event: 'string event',
    });
    assert.deepEqual(normaliseLog(ev({ error: 'boom' }))['error'], { message: 'boom' });
  });
});

describe('normaliseLog: event.id', () => {
  it('keeps a given id, flat or nested', () => {
    assert.equal(normaliseLog(ev({ 'event.id': 'e1' })).event.id, 'e1');
    assert.deepEqual(normaliseLog(ev({ event: { id: 'e2', action: 'x' } })).event, {
      id: 'e2',
      action: 'x',
      dataset: 'orders',
    });
  });

  it('derives a deterministic id when absent, so a retry writes the same _id', () => {
    const a = normaliseLog(ev({ message: 'x', n: 1 })).event.id;
    assert.equal(normaliseLog(ev({ message: 'x', n: 1 })).event.id, a);
    assert.match(a, /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(normaliseLog(ev({ message: 'x', n: 2 })).event.id, a);
    assert.notEqual(normaliseLog(ev({ message: 'x', n: 1 }, 'other')).event.id, a);
    assert.notEqual(
      normaliseLog(ev({ message: 'x', n: 1 }, 'orders.app', { seconds: T.seconds, nanoseconds: 1 })).event.id,
      a,
    );
  });

  it('uses the chunk id and index when the receiver has them, so identical lines stay distinct', () => {
    const same = ev({ message: 'health ok' });
    const one = normaliseLog(same, undefined, { chunk: 'Y2h1bmsx', index: 0 }).event.id;
    const two = normaliseLog(same, undefined, { chunk: 'Y2h1bmsx', index: 1 }).event.id;
    assert.notEqual(one, two);
    assert.equal(normaliseLog(same, undefined, { chunk: 'Y2h1bmsx', index: 0 }).event.id, one);
  });

  it('replaces an unusable id and keeps it', () => {
    const long = 'x'.repeat(600);
    const d = normaliseLog(ev({ 'event.id': long }));
    assert.notEqual(d.event.id, long);
    assert.equal(d.tributary?.original?.['event.id'], long);
    assert.notEqual(normaliseLog(ev({ event: { id: 7 } })).event.id, 7);
  });

  it('hashes records holding BigInt values', () => {
    assert.match(normaliseLog(ev({ big: 2n ** 70n })).event.id, /^[A-Za-z0-9_-]{22}$/);
  });
});

describe('normaliseLog: hostile input', () => {
  it('does not mutate the input', () => {
    const rec = deepFreeze(
      structuredClone({
        ...fluentBitK8s,
        level: 'info',
        service: { name: 'x' },
        audit: true,
        actor: { id: 'u' },
      }),
    );
    const before = structuredClone(rec);
    const event = deepFreeze({ tag: 'a.b', time: { ...T }, record: rec });
    normaliseLog(event, { ...normaliseLogDefaults(), isAuditTag: () => true });
    assert.deepEqual(rec, before);
  });

  it('tolerates a record that is not a map', () => {
    assert.equal(normaliseLog(ev('plain line')).message, 'plain line');
    for (const r of [null, undefined, 42, [1, 2], true, new Uint8Array([1, 2])]) {
      const d = normaliseLog(ev(r));
      assert.deepEqual(d.tributary?.original, { record: r });
      assert.equal(d.data_stream.type, 'logs');
      assert.match(d.event.id, /^[A-Za-z0-9_-]{22}$/);
    }
  });

  it('stores __proto__ and constructor as plain fields without polluting prototypes', () => {
    const rec = JSON.parse(
      '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "kubernetes": {"__proto__": {"polluted": "yes"}, "labels": {"__proto__": "x"}}, "service": {"__proto__": {"polluted": "yes"}}, "message": "m"}',
    ) as Record<string, unknown>;
    const d = normaliseLog(ev(rec));
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.getPrototypeOf(d), Object.prototype);
    assert.equal(Object.getPrototypeOf(d.kubernetes), Object.prototype);
    assert.equal(Object.getPrototypeOf(d.service), Object.prototype);
    assert.ok(Object.hasOwn(d, '__proto__'));
    assert.deepEqual(Object.getOwnPropertyDescriptor(d, '__proto__')?.value, { polluted: 'yes' });
    assert.deepEqual(d['constructor'], { prototype: { polluted: 'yes' } });
    const json = JSON.parse(JSON.stringify(d)) as Record<string, unknown>;
    assert.ok(Object.hasOwn(json, '__proto__'));
  });

  it('ignores inherited properties of odd objects', () => {
    const rec = Object.create({ message: 'inherited', level: 'error' }) as Record<string, unknown>;
    rec['msg'] = 'own';
    const d = normaliseLog(ev(rec));
    assert.equal(d.message, 'own');
    assert.equal(d.log, undefined);
  });

  it('handles huge strings without using them as identifiers', () => {
    const huge = 'x'.repeat(5_000_000);
    const d = normaliseLog(
      ev({ message: huge, service: huge, trace_id: huge, kubernetes: { namespace_name: huge } }),
    );
    assert.equal(d.message?.length, 5_000_000);
    assert.equal(d.trace, undefined);
    assert.ok(d.data_stream.dataset.length <= 100);
    assert.ok(d.data_stream.namespace.length <= 100);
    assert.equal(d.service?.name, 'orders');
  });

  it('falls back to the clock for an invalid time and says so', () => {
    const now = () => Date.UTC(2024, 0, 2, 3, 4, 5, 678);
    for (const time of [
      { seconds: Number.NaN, nanoseconds: 0 },
      { seconds: -5, nanoseconds: 0 },
      { seconds: 1, nanoseconds: 2e9 },
      { seconds: 1e12, nanoseconds: 0 },
      null as unknown as LogEvent['time'],
      { seconds: '1', nanoseconds: 0 } as unknown as LogEvent['time'],
    ]) {
      const d = normaliseLog(ev({ message: 'x' }, 't', time), { ...normaliseLogDefaults(), now });
      assert.equal(d['@timestamp'], '2024-01-02T03:04:05.678000000Z', JSON.stringify(time));
      assert.equal(d.tributary?.time_invalid, true);
      assert.deepEqual(d.tributary?.original?.['time'], time);
    }
  });

  it('handles a non-string tag', () => {
    const d = normaliseLog({ tag: 5 as unknown as string, time: T, record: { message: 'x' } });
    assert.equal(d.service, undefined);
    assert.equal(d.data_stream.dataset, 'generic');
  });
});

function normaliseLogDefaults(): NormaliseLogOptions {
  return { defaultNamespace: 'default', defaultDataset: 'generic', serviceLabelKeys: ['app'] };
}
