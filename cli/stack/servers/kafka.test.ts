import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kafkaServerProperties, newKafkaClusterId } from './kafka.ts';
import { loadStackSettings } from '../settings.ts';

test('cluster ids are 22-character URL-safe base64 of 16 bytes, as Kafka expects', () => {
  const id = newKafkaClusterId();
  assert.match(id, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(Buffer.from(id, 'base64url').length, 16);
  assert.notEqual(newKafkaClusterId(), id);
});

test('server.properties makes one KRaft broker+controller on the configured loopback ports', () => {
  const settings = loadStackSettings({
    TRIBUTARY_STACK_DIR: '/tmp/s',
    TRIBUTARY_KAFKA_PORT: '19092',
    TRIBUTARY_KAFKA_CONTROLLER_PORT: '19093',
  });
  const text = kafkaServerProperties({
    settings,
    java: { home: '', version: '', major: 17 },
    distDir: '/d',
    runDir: '/tmp/s/kafka',
    logFile: '/tmp/s/kafka/server.log',
  });
  assert.match(text, /^process\.roles=broker,controller$/m);
  assert.match(text, /^listeners=PLAINTEXT:\/\/127\.0\.0\.1:19092,CONTROLLER:\/\/127\.0\.0\.1:19093$/m);
  assert.match(text, /^controller\.quorum\.voters=1@127\.0\.0\.1:19093$/m);
  assert.match(text, /^log\.dirs=\/tmp\/s\/kafka\/data$/m);
  assert.match(text, /^offsets\.topic\.replication\.factor=1$/m);
});
