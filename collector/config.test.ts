import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../common/config/index.ts';
import { loadCollectorConfig } from './config.ts';

const load = (text: string, env: NodeJS.ProcessEnv = {}) =>
  loadCollectorConfig({ text, source: 'collector.yaml' }, env);

test('a minimal config gets every default, with units already converted', () => {
  const config = load('exporters:\n  discard: {}\n');
  assert.equal(config.receivers.forward.port, 24240);
  assert.equal(config.receivers.forward.max_frame_bytes, 64 * 1024 * 1024);
  assert.equal(config.receivers.forward.handshake_timeout, 10_000);
  assert.equal(config.receivers.zipkin.max_body_bytes, 10 * 1024 * 1024);
  assert.equal(config.http.port, 9412);
  assert.equal(config.queue.fsync, 'always');
  assert.equal(config.queue.max_bytes, 1024 ** 3);
  assert.equal(config.queue.fsync_interval, 100);
  assert.equal(config.service.shutdown_timeout, 30_000);
  assert.equal(config.processors.ecs.default_namespace, 'default');
  assert.deepEqual(config.processors.route.audit.tags, []);
});

test('${ENV} substitution and units', () => {
  const config = load('queue:\n  path: ${QUEUE_DIR}\n  max_bytes: 5M\nexporters:\n  discard: {}\n', {
    QUEUE_DIR: '/data/q',
  });
  assert.equal(config.queue.path, '/data/q');
  assert.equal(config.queue.max_bytes, 5_000_000);
});

test('errors name the file, line and key path', () => {
  assert.throws(
    () => load('receivers:\n  forward:\n    max_frame_byte: 1\nexporters:\n  discard: {}\n'),
    (e: unknown) =>
      e instanceof ConfigError &&
      /collector\.yaml:3:\d+: receivers\.forward\.max_frame_byte/.test(e.message) &&
      /did you mean `max_frame_bytes`/.test(e.message),
  );
  assert.throws(() => load('queue:\n  fsync: sometimes\nexporters:\n  discard: {}\n'), /queue\.fsync/);
  assert.throws(() => load('exporters: {}\n'), /at least one exporter/);
  assert.throws(() => load('http:\n  port: 70000\nexporters:\n  discard: {}\n'), /http\.port/);
});

test('the documented example config (testdata/collector.yaml) is valid', () => {
  const config = loadCollectorConfig(new URL('./testdata/collector.yaml', import.meta.url).pathname, {});
  assert.deepEqual(Object.keys(config.exporters).sort(), ['elasticsearch', 'kafka', 'zipkin']);
  assert.equal(config.queue.path, '/tmp/tributary/collector/queue');
  assert.deepEqual(config.processors.route.audit.tags, ['audit.*']);
});
