import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommitTracker } from './commit-tracker.ts';

test('in-order acks move the committed offset', () => {
  const t = new CommitTracker(0);
  assert.equal(t.ack(0, 10), true);
  assert.equal(t.ack(10, 25), true);
  assert.equal(t.committed, 25);
  assert.deepEqual(t.pendingRanges(), []);
});

test('out-of-order acks wait for the hole below them', () => {
  const t = new CommitTracker(100);
  assert.equal(t.ack(120, 130), false);
  assert.equal(t.ack(140, 150), false);
  assert.equal(t.ack(130, 140), false);
  assert.equal(t.committed, 100);
  assert.deepEqual(t.pendingRanges(), [120, 150]);
  assert.equal(t.ack(100, 120), true);
  assert.equal(t.committed, 150);
  assert.deepEqual(t.pendingRanges(), []);
});

test('duplicate, overlapping and stale acks are harmless', () => {
  const t = new CommitTracker(0);
  t.ack(0, 10);
  assert.equal(t.ack(0, 10), false);
  assert.equal(t.ack(5, 8), false);
  t.ack(20, 30);
  t.ack(25, 40);
  assert.deepEqual(t.pendingRanges(), [20, 40]);
  t.ack(5, 20);
  assert.equal(t.committed, 40);
});

test('any permutation of line acks ends at the end of the file', () => {
  for (let round = 0; round < 50; round++) {
    const bounds = [0];
    for (let i = 0; i < 40; i++) bounds.push((bounds.at(-1) ?? 0) + 1 + Math.floor(Math.random() * 300));
    const ranges = bounds.slice(1).map((end, i) => [bounds[i] ?? 0, end] as const);
    const order = ranges.map((_, i) => i).sort(() => Math.random() - 0.5);
    const t = new CommitTracker(0);
    const acked = new Set<number>();
    for (const i of order) {
      const r = ranges[i];
      assert.ok(r);
      t.ack(r[0], r[1]);
      acked.add(i);
      // committed = end of the longest acked prefix
      let k = 0;
      while (acked.has(k)) k++;
      assert.equal(t.committed, k === 0 ? 0 : (ranges[k - 1]?.[1] ?? -1));
    }
    assert.equal(t.committed, bounds.at(-1));
  }
});
