import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { duration, parseDuration, parseSize, size } from './index.ts';

describe('parseSize (Fluent Bit unit sizes)', () => {
  it('reads plain numbers as bytes', () => {
    assert.equal(parseSize(32000), 32000);
    assert.equal(parseSize('32000'), 32000);
    assert.equal(parseSize('0'), 0);
  });
  it('reads k/K/KB/kb, m/M/MB/mb, g/G/GB/gb as powers of 1000, like Fluent Bit', () => {
    for (const s of ['32k', '32K', '32KB', '32kb', '32Kb']) assert.equal(parseSize(s), 32_000, s);
    for (const s of ['5m', '5M', '5MB', '5mb']) assert.equal(parseSize(s), 5_000_000, s);
    for (const s of ['1g', '1G', '1GB', '1gb']) assert.equal(parseSize(s), 1_000_000_000, s);
  });
  it('reads IEC suffixes as powers of 1024', () => {
    assert.equal(parseSize('64MiB'), 64 * 1024 * 1024);
    assert.equal(parseSize('1Ki'), 1024);
    assert.equal(parseSize('2GiB'), 2 * 1024 ** 3);
    assert.equal(parseSize('1TiB'), 1024 ** 4);
  });
  it('accepts fractions and truncates to whole bytes', () => {
    assert.equal(parseSize('1.5M'), 1_500_000);
    assert.equal(parseSize('0.5k'), 500);
    assert.equal(parseSize(10.9), 10);
    assert.equal(parseSize(' 8k '), 8000);
  });
  it('rejects garbage with a clear message', () => {
    for (const s of ['', 'k', '5Q', '5 parsecs', '-1', '1e3', '5MBB', '0x10', 'false', '1.2.3', 'NaN']) {
      assert.throws(() => parseSize(s), /invalid size/, s);
    }
    assert.throws(() => parseSize(-1), /≥ 0/);
    assert.throws(() => parseSize(Number.POSITIVE_INFINITY), /≥ 0/);
    assert.throws(() => parseSize('99999999999999999999G'), /too large/);
  });
});

describe('parseDuration', () => {
  it('reads units into milliseconds', () => {
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('5s'), 5000);
    assert.equal(parseDuration('1m'), 60_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('1d'), 86_400_000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('1.5s'), 1500);
  });
  it('reads a bare number as seconds, as Fluent Bit does', () => {
    assert.equal(parseDuration(5), 5000);
    assert.equal(parseDuration('5'), 5000);
    assert.equal(parseDuration(0.25), 250);
  });
  it('rejects garbage with a clear message', () => {
    for (const s of ['', 's', '5x', '5 s', '-5s', '5sec', 'soon', '1m 30s', '5S', '1y']) {
      assert.throws(() => parseDuration(s), /invalid duration/, s);
    }
    assert.throws(() => parseDuration(-1), /≥ 0/);
    assert.throws(() => parseDuration(`${'1s'.repeat(40)}`), /invalid duration/);
  });
});

describe('size() and duration() schemas', () => {
  const schema = z.strictObject({ buf: size(), every: duration() });
  it('transform inside zod', () => {
    assert.deepEqual(schema.parse({ buf: '32k', every: '250ms' }), { buf: 32000, every: 250 });
  });
  it('report problems as zod issues', () => {
    const r = schema.safeParse({ buf: true, every: '5x' });
    assert.equal(r.success, false);
    const messages = r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    assert.equal(messages.length, 2);
    assert.match(messages.find((m) => m.startsWith('every')) ?? '', /invalid duration "5x"/);
  });
});
