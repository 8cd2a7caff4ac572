import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ring } from './ring.ts';

test('keeps order across growth, shift and unshift', () => {
  const ring = new Ring<number>();
  for (let i = 0; i < 40; i++) ring.push(i);
  for (let i = 0; i < 10; i++) assert.equal(ring.shift(), i);
  for (let i = 40; i < 70; i++) ring.push(i);
  ring.unshift(9);
  ring.unshift(8);
  assert.equal(ring.length, 62);
  const out: number[] = [];
  for (let v = ring.shift(); v !== undefined; v = ring.shift()) out.push(v);
  assert.deepEqual(
    out,
    Array.from({ length: 62 }, (_, i) => i + 8),
  );
  assert.equal(ring.shift(), undefined);
});

test('unshift on an empty ring and clear', () => {
  const ring = new Ring<string>();
  ring.unshift('b');
  ring.unshift('a');
  ring.push('c');
  assert.deepEqual([ring.shift(), ring.shift(), ring.shift()], ['a', 'b', 'c']);
  ring.push('x');
  ring.clear();
  assert.equal(ring.length, 0);
});
