import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatEventTime, formatMicros } from './time.ts';

describe('formatEventTime', () => {
  it('prints nanosecond precision', () => {
    assert.equal(formatEventTime(1714564800, 123456789), '2024-05-01T12:00:00.123456789Z');
    assert.equal(formatEventTime(1714564800, 5), '2024-05-01T12:00:00.000000005Z');
    assert.equal(formatEventTime(0, 0), '1970-01-01T00:00:00.000000000Z');
    assert.equal(formatEventTime(1714564801, 0), '2024-05-01T12:00:01.000000000Z');
  });
  it('accepts float seconds', () => {
    assert.equal(formatEventTime(1714564800.25, 0), '2024-05-01T12:00:00.250000000Z');
  });
  it('rejects what date_nanos cannot hold', () => {
    for (const [s, ns] of [
      [Number.NaN, 0],
      [Number.POSITIVE_INFINITY, 0],
      [-1, 0],
      [9_300_000_000, 0],
      [1, -1],
      [1, 1e9],
      [1, 0.5],
      [1.5, 3],
    ] as const) {
      assert.equal(formatEventTime(s, ns), undefined, `${s} ${ns}`);
    }
    assert.equal(formatEventTime('1' as unknown as number, 0), undefined);
  });
  it('converts Zipkin microseconds', () => {
    assert.equal(formatMicros(1714564800123456), '2024-05-01T12:00:00.123456000Z');
    assert.equal(formatMicros(-1), undefined);
    assert.equal(formatMicros(1.5), undefined);
  });
});
