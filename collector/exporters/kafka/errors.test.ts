import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { classifyKafkaError, describeKafkaError } from './errors.ts';
import { recordBytes, singleRecordBatchBytes, varintBytes } from './record-size.ts';

// kafkajs spreads its error classes into module.exports, which ESM named imports cannot see.
const {
  KafkaJSProtocolError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSConnectionError,
} = kafkajs;

const protocol = (type: string, retriable: boolean): Error =>
  new KafkaJSProtocolError(
    Object.assign(new Error(`broker said ${type}`), { type, code: 1, retriable }) as never,
  );

describe('kafka error classification', () => {
  it('finds the broker error type inside kafkajs wrappers', () => {
    // What producer.send rejects with after kafkajs bails: the protocol error as `cause`.
    const tooLarge = Object.assign(new KafkaJSNonRetriableError('Failed to send messages'), {
      cause: protocol('MESSAGE_TOO_LARGE', false),
    });
    assert.equal(classifyKafkaError(tooLarge), 'too-large');
    assert.equal(classifyKafkaError(protocol('RECORD_LIST_TOO_LARGE', false)), 'too-large');
    assert.equal(classifyKafkaError(protocol('INVALID_RECORD', false)), 'invalid-record');
    assert.equal(classifyKafkaError(protocol('OUT_OF_ORDER_SEQUENCE_NUMBER', false)), 'producer-state');
    assert.equal(classifyKafkaError(protocol('UNKNOWN_TOPIC_OR_PARTITION', true)), 'unknown-topic');
    assert.match(describeKafkaError(tooLarge), /MESSAGE_TOO_LARGE/);
  });

  it('retries transient errors, also after kafkajs gave up on them', () => {
    for (const type of [
      'LEADER_NOT_AVAILABLE',
      'NOT_LEADER_FOR_PARTITION',
      'REQUEST_TIMED_OUT',
      'NOT_ENOUGH_REPLICAS',
    ]) {
      const inner = protocol(type, true);
      assert.equal(classifyKafkaError(inner), 'transient', type);
      assert.equal(
        classifyKafkaError(
          new KafkaJSNumberOfRetriesExceeded(inner as never, { retryCount: 2, retryTime: 100 }),
        ),
        'transient',
        `${type} after retries`,
      );
    }
    const conn = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1', {
      broker: '127.0.0.1:1',
    });
    assert.equal(
      classifyKafkaError(new KafkaJSNumberOfRetriesExceeded(conn as never, { retryCount: 1, retryTime: 1 })),
      'transient',
    );
  });

  it('calls authorization and other non-data refusals stuck (retried, logged as errors)', () => {
    assert.equal(classifyKafkaError(protocol('TOPIC_AUTHORIZATION_FAILED', false)), 'stuck');
    assert.equal(classifyKafkaError(new Error('something else')), 'stuck');
  });
});

describe('record sizes', () => {
  it('zigzag varints', () => {
    assert.deepEqual(
      [0, -1, 63, 64, -64, -65, 8191, 8192, 2 ** 20].map(varintBytes),
      [1, 1, 1, 2, 1, 2, 2, 3, 4],
    );
  });

  it('counts key, value and headers (the broker-checked boundary is tested against the real Kafka)', () => {
    // attributes 1 + deltas 2 + null key 1 + value len 1 + 3 bytes + header count 1 = 9, plus the length varint.
    assert.equal(recordBytes({ key: null, value: 'abc' }), 10);
    assert.equal(recordBytes({ key: 'k', value: Buffer.from('abc') }), 11);
    assert.equal(recordBytes({ key: 'k', value: 'abc', headers: { h: 'vv' } }), 16);
    assert.equal(singleRecordBatchBytes({ key: null, value: 'abc' }), 71);
    assert.equal(recordBytes({ key: 'é', value: '' }), 9);
  });
});
