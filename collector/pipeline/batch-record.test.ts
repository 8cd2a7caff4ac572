import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchRecordError,
  decodeBatch,
  encodeLogBatch,
  encodeSpanBatch,
  KIND_LOGS,
  KIND_SPANS,
} from './batch-record.ts';

test('log batches round-trip with and without a chunk id, entries untouched', () => {
  const entries = Buffer.from([0x92, 0x01, 0x80, 0x92, 0x02, 0x80]);
  for (const chunk of [undefined, 'c2FtcGxlLWNodW5rLWlk']) {
    const decoded = decodeBatch(encodeLogBatch('kube.var.log.containers.app-ü', chunk, 2, entries));
    assert.equal(decoded.kind, KIND_LOGS);
    if (decoded.kind !== KIND_LOGS) return;
    assert.equal(decoded.tag, 'kube.var.log.containers.app-ü');
    assert.equal(decoded.chunk, chunk);
    assert.equal(decoded.entryCount, 2);
    assert.deepEqual(decoded.entries, entries);
  }
});

test('span batches round-trip', () => {
  const json = Buffer.from('[{"traceId":"a","id":"b"}]');
  const decoded = decodeBatch(encodeSpanBatch(1, json));
  assert.equal(decoded.kind, KIND_SPANS);
  if (decoded.kind === KIND_SPANS) {
    assert.equal(decoded.spanCount, 1);
    assert.equal(decoded.json.toString(), json.toString());
  }
});

test('truncated or unknown records are clear errors, at every cut', () => {
  const full = encodeLogBatch('tag', 'chunk', 1, Buffer.from([0x92, 0x01, 0x80]));
  const headerEnd = full.length - 3;
  for (let cut = 0; cut < headerEnd; cut++) {
    assert.throws(() => decodeBatch(full.subarray(0, cut)), BatchRecordError);
  }
  assert.throws(() => decodeBatch(Buffer.from([9, 0, 0])), /unknown queue record kind 9/);
  assert.throws(() => decodeBatch(Buffer.from([KIND_SPANS, 0])), /truncated in span count/);
});

test('oversized tag or chunk ids are refused at encode time', () => {
  assert.throws(
    () => encodeLogBatch('t'.repeat(70_000), undefined, 0, Buffer.alloc(0)),
    /tag of 70000 bytes/,
  );
  assert.throws(() => encodeLogBatch('t', 'c'.repeat(300), 0, Buffer.alloc(0)), /chunk id of 300 bytes/);
});
