import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadStackSettings, parsePort, StackError } from './settings.ts';

test('ports default to the DESIGN.md ports and can be overridden by env', () => {
  const s = loadStackSettings({ TRIBUTARY_STACK_DIR: '/tmp/x', TRIBUTARY_ZIPKIN_PORT: '19411' });
  assert.equal(s.root, '/tmp/x');
  assert.equal(s.ports.elasticsearch, 9200);
  assert.equal(s.ports.kafka, 9092);
  assert.equal(s.ports.zipkin, 19411);
  assert.match(s.descriptors, /deploy\/local$/);
});

test('a malformed port is a clear error naming the variable', () => {
  for (const bad of ['0', '65536', '-1', 'abc', '92 00', '1e3', '9200.5']) {
    assert.throws(
      () => parsePort(bad, 'TRIBUTARY_ES_PORT'),
      (e: unknown) => {
        assert.ok(e instanceof StackError);
        assert.match(e.message, /TRIBUTARY_ES_PORT must be a TCP port/);
        return true;
      },
    );
  }
  assert.throws(() => loadStackSettings({ TRIBUTARY_KAFKA_PORT: 'x' }), /TRIBUTARY_KAFKA_PORT/);
});
