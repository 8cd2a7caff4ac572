import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MISSING,
  compileTemplate,
  lookup,
  parseKeyAccessor,
  renderTemplate,
  valueText,
} from './record-accessor.ts';
import type { KeyAccessor, Template } from './record-accessor.ts';

function acc(text: string): KeyAccessor {
  const r = parseKeyAccessor(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function tpl(text: string): Template {
  const r = compileTemplate(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('record accessor keys', () => {
  it('parses $key, nested map keys and array indexes; the $ is optional', () => {
    assert.deepEqual(acc("$kubernetes['labels']['app']"), {
      text: "$kubernetes['labels']['app']",
      key: 'kubernetes',
      path: ['labels', 'app'],
    });
    assert.deepEqual(acc('$items[0]["name"]').path, [0, 'name']);
    assert.deepEqual(acc('log'), { text: 'log', key: 'log', path: [] });
    assert.equal(acc('$Mem.used').key, 'Mem.used');
  });

  it('refuses what it cannot read', () => {
    for (const bad of ['$', "$a['b", '$a[x]', "$a['b']x"]) {
      assert.equal(parseKeyAccessor(bad).ok, false, bad);
    }
  });

  it('looks values up; a null is a value, a missing key is MISSING', () => {
    const rec = { a: { b: [10, { c: null }] }, s: 'x' };
    assert.equal(lookup(rec, acc("$a['b'][0]")), 10);
    assert.equal(lookup(rec, acc("$a['b'][1]['c']")), null);
    assert.equal(lookup(rec, acc("$a['b'][2]")), MISSING);
    assert.equal(lookup(rec, acc("$a['x']")), MISSING);
    assert.equal(lookup(rec, acc("$s['x']")), MISSING);
    assert.equal(lookup(rec, acc('$nope')), MISSING);
    assert.equal(
      lookup(Object.create({ inherited: 1 }) as Record<string, unknown>, acc('$inherited')),
      MISSING,
    );
  });
});

describe('record accessor templates', () => {
  it('splices $TAG, $TAG[n], $0..$9 and keys; a key ends at . space , or "', () => {
    const t = tpl("x.$TAG.$TAG[2].$1.$a['b.c'].$n,$s end");
    const m = /^(\w+)$/.exec('word');
    assert.equal(
      renderTemplate(t, 'p.q.r', 'p.q.r'.split('.'), { a: { 'b.c': 'v' }, n: 3, s: 'S' }, m),
      'x.p.q.r.r.word.v.3,S end',
    );
    assert.equal(t.usesTagParts, true);
    assert.equal(tpl('static.tag').parts.length, 1);
  });

  it('prints values as Fluent Bit does', () => {
    assert.equal(valueText(1.25), '1.250000');
    assert.equal(valueText(7), '7');
    assert.equal(valueText(false), 'false');
    assert.equal(valueText(null), 'null');
    assert.equal(valueText({ a: 1 }), '{"a":1}');
    assert.equal(valueText([1]), '');
  });

  it('refuses bad $TAG[n] and unsubstituted ${VAR}', () => {
    assert.equal(compileTemplate('a.$TAG[').ok, false);
    assert.equal(compileTemplate('a.${X}').ok, false);
  });
});
