import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileTagMatcher, matchTag } from './tag-match.ts';

describe('matchTag (Fluent Bit Match)', () => {
  it('matches whole tags with * wildcards', () => {
    const cases: [string, string, boolean][] = [
      ['*', 'anything.at.all', true],
      ['*', '', true],
      ['audit', 'audit', true],
      ['audit', 'audit.x', false],
      ['audit.*', 'audit.orders', true],
      ['audit.*', 'audit.orders.v1', true],
      ['audit.*', 'audit', false],
      ['*.audit', 'orders.audit', true],
      ['*.audit', 'orders.audit.x', false],
      ['kube.*.audit.*', 'kube.ns.audit.pod', true],
      ['a*b*c', 'aXXbYYc', true],
      ['a*b*c', 'aXXbYY', false],
      ['Audit.*', 'audit.x', false],
      ['a**', 'abc', true],
    ];
    for (const [p, t, want] of cases) assert.equal(matchTag(p, t), want, `${p} ~ ${t}`);
  });

  it('stays fast on patterns that are exponential for naive backtracking', () => {
    const start = process.hrtime.bigint();
    assert.equal(matchTag('*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000)), false);
    assert.ok(process.hrtime.bigint() - start < 2_000_000_000n);
  });
});

describe('compileTagMatcher', () => {
  it('matches any of several patterns and caches answers', () => {
    const m = compileTagMatcher(['audit.*', '*.security']);
    assert.equal(m('audit.x'), true);
    assert.equal(m('app.security'), true);
    assert.equal(m('app.logs'), false);
    assert.equal(m('app.logs'), false);
    for (let i = 0; i < 20_000; i++) m(`t${i}`);
    assert.equal(m('audit.y'), true);
  });
  it('handles no patterns and the catch-all', () => {
    assert.equal(compileTagMatcher([])('x'), false);
    assert.equal(compileTagMatcher(['*'])('x'), true);
  });
});
