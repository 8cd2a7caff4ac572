import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unpack } from 'msgpackr';
import { decodeAck, encodeAck } from './ack.ts';
import { newChunkId } from './chunk-id.ts';
import { mp } from './test-helpers.ts';

describe('ack', () => {
  it('encodes {ack: chunk} and reads it back', () => {
    const chunk = newChunkId();
    assert.equal(Buffer.from(chunk, 'base64').length, 16);
    assert.deepEqual(unpack(encodeAck(chunk)), { ack: chunk });
    assert.equal(decodeAck(encodeAck(chunk)), chunk);
    assert.equal(decodeAck(mp({ other: [1], ack: 'x' })), 'x');
  });

  it('rejects anything else', () => {
    assert.throws(() => decodeAck(mp(['ack', 'x'])), /ack must be a map, got array/);
    assert.throws(() => decodeAck(mp({ ack: 1 })), /ack value must be a string/);
    assert.throws(() => decodeAck(mp({})), /no "ack" key/);
  });
});
