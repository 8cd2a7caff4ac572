import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeRecord, HEADER_BYTES, parseSegmentFileName, segmentFileName, writeHeader } from './format.ts';

function encode(seq: number, payload: Buffer): Buffer {
  const buf = Buffer.alloc(HEADER_BYTES + payload.length);
  writeHeader(buf, 0, seq, payload);
  payload.copy(buf, HEADER_BYTES);
  return buf;
}

describe('record format', () => {
  it('round-trips header and payload, including sequence numbers above 2^32', () => {
    for (const seq of [0, 1, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
      const buf = encode(seq, Buffer.from('hello'));
      const d = decodeRecord(buf, 0, buf.length);
      assert.equal(d.kind, 'record');
      if (d.kind !== 'record') return;
      assert.equal(d.seq, seq);
      assert.equal(buf.subarray(d.payloadStart, d.end).toString(), 'hello');
      assert.equal(d.end, buf.length);
    }
  });

  it('detects a flipped bit anywhere in header or payload', () => {
    const good = encode(7, Buffer.from('some payload bytes'));
    for (let i = 0; i < good.length; i++) {
      const bad = Buffer.from(good);
      bad[i] = (bad[i] ?? 0) ^ 0x10;
      const d = decodeRecord(bad, 0, bad.length);
      // A flip in the length field may make the record look longer than the data: incomplete, not valid.
      assert.notEqual(d.kind, 'record', `flip at byte ${i} went unnoticed`);
    }
  });

  it('reports incomplete records with the bytes needed', () => {
    const buf = encode(1, Buffer.alloc(50));
    assert.deepEqual(decodeRecord(buf, 0, 10), { kind: 'incomplete', needed: HEADER_BYTES });
    assert.deepEqual(decodeRecord(buf, 0, 60), { kind: 'incomplete', needed: HEADER_BYTES + 50 });
  });

  it('names segment files by base sequence number', () => {
    assert.equal(segmentFileName(42), '00000000000000000042.seg');
    assert.equal(parseSegmentFileName('00000000000000000042.seg'), 42);
    assert.equal(parseSegmentFileName('42.seg'), undefined);
    assert.equal(parseSegmentFileName('00000000000000000042.seg.tmp'), undefined);
  });
});
