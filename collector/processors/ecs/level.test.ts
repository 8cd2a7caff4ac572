import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseLevel } from './level.ts';

describe('normaliseLevel', () => {
  it('maps pino/bunyan numbers', () => {
    assert.deepEqual([10, 20, 30, 40, 50, 60].map(normaliseLevel), [
      'trace',
      'debug',
      'info',
      'warn',
      'error',
      'fatal',
    ]);
    assert.equal(normaliseLevel(35), 'info');
    assert.equal(normaliseLevel(100), 'fatal');
    assert.equal(normaliseLevel('30'), 'info');
  });
  it('maps syslog severities', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map(normaliseLevel), [
      'fatal',
      'fatal',
      'fatal',
      'error',
      'warn',
      'info',
      'info',
      'debug',
    ]);
  });
  it('maps synonyms case-insensitively', () => {
    const cases: Record<string, string> = {
      INFO: 'info',
      Warning: 'warn',
      WARN: 'warn',
      err: 'error',
      CRITICAL: 'fatal',
      notice: 'info',
      verbose: 'trace',
      dpanic: 'fatal',
      W: 'warn',
      ' debug ': 'debug',
      SEVERE: 'error',
    };
    for (const [input, want] of Object.entries(cases)) assert.equal(normaliseLevel(input), want, input);
  });
  it('keeps other short strings lower-cased and rejects junk', () => {
    assert.equal(normaliseLevel('AUDIT'), 'audit');
    assert.equal(normaliseLevel('x'.repeat(33)), undefined);
    assert.equal(normaliseLevel(''), undefined);
    assert.equal(normaliseLevel(-1), undefined);
    assert.equal(normaliseLevel(8), undefined);
    assert.equal(normaliseLevel(30.5), undefined);
    assert.equal(normaliseLevel(Number.NaN), undefined);
    assert.equal(normaliseLevel(true), undefined);
    assert.equal(normaliseLevel({ level: 'info' }), undefined);
    assert.equal(normaliseLevel(null), undefined);
  });
});
