import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonObjectSplitter } from './json-stream.ts';
import type { JsonErrorKind } from './json-stream.ts';
import { SeparatedSplitter } from './separated.ts';

interface Run {
  records: Record<string, unknown>[];
  errors: { kind: JsonErrorKind; sample: string }[];
}

function run(chunks: string[], maxSize = 1024): Run {
  const r: Run = { records: [], errors: [] };
  const s = new JsonObjectSplitter(maxSize, (kind, _m, sample) => r.errors.push({ kind, sample }));
  for (const c of chunks) s.push(c, r.records);
  s.end();
  return r;
}

const OBJS = [
  { a: 1, s: 'x{y}z' },
  { nested: { deep: [1, { b: '}' }], q: 'say "hi" \\ ok' } },
  { u: 'é ✓ 😀', e: '' },
  {},
];

describe('JsonObjectSplitter', () => {
  it('splits objects at every byte boundary, with and without separators', () => {
    for (const sep of ['', '\n', ' \r\n\t ']) {
      const text = OBJS.map((o) => JSON.stringify(o)).join(sep) + sep;
      for (let cut = 0; cut <= text.length; cut++) {
        const r = run([text.slice(0, cut), text.slice(cut)]);
        assert.deepEqual(r.records, OBJS, `sep=${JSON.stringify(sep)} cut=${cut}`);
        assert.deepEqual(r.errors, []);
      }
      // One character per chunk: every state carried across every boundary.
      assert.deepEqual(run([...text]).records, OBJS);
    }
  });

  it('handles many objects per chunk', () => {
    const objs = Array.from({ length: 500 }, (_, i) => ({ i, msg: `m${i}` }));
    const r = run([objs.map((o) => JSON.stringify(o)).join('')], 100);
    assert.deepEqual(r.records, objs);
  });

  it('falls back from the line fast path to the scanner (several objects per line, pretty-printed)', () => {
    const text = '{"a":1}{"b":2} {"c":3}\n{\n  "d": {\n    "e": [1, 2]\n  }\n}\n{"f":6}\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const r = run([text.slice(0, cut), text.slice(cut)]);
      assert.deepEqual(
        r.records,
        [{ a: 1 }, { b: 2 }, { c: 3 }, { d: { e: [1, 2] } }, { f: 6 }],
        `cut=${cut}`,
      );
      assert.deepEqual(r.errors, []);
    }
  });

  it('skips an invalid object in the middle, counts it, and goes on', () => {
    const r = run(['{"a":1}{"b":}{"c":3}\n{bad json}\n{"d":4}']);
    assert.deepEqual(r.records, [{ a: 1 }, { c: 3 }, { d: 4 }]);
    assert.deepEqual(
      r.errors.map((e) => [e.kind, e.sample]),
      [
        ['invalid', '{"b":}'],
        ['invalid', '{bad json}'],
      ],
    );
  });

  it('resyncs after an unterminated string at the line feed', () => {
    const r = run(['{"a":"oops}\n{"b":2}\n', '{"c":3}']);
    assert.deepEqual(r.records, [{ b: 2 }, { c: 3 }]);
    assert.deepEqual(
      r.errors.map((e) => e.kind),
      ['invalid'],
    );
  });

  it('skips non-object top-level values and garbage', () => {
    const r = run(['[1,{"x":1}] "str{" 42 true null } {"ok":1}']);
    assert.deepEqual(r.records, [{ ok: 1 }]);
    assert.deepEqual(
      r.errors.map((e) => e.kind),
      ['not_object', 'not_object', 'not_object', 'not_object', 'not_object', 'invalid'],
    );
  });

  it('skips an oversized object without buffering it, then continues', () => {
    const big = JSON.stringify({ pad: 'x'.repeat(5000), inner: { s: '}{' } });
    const text = `{"a":1}${big}{"b":2}`;
    const errors: JsonErrorKind[] = [];
    const s = new JsonObjectSplitter(100, (k) => errors.push(k));
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < text.length; i += 37) {
      s.push(text.slice(i, i + 37), out);
      // Memory bound: never more than maxSize + one chunk carried.
      assert.ok(((s as unknown as { pending: string }).pending.length ?? 0) <= 100 + 37);
    }
    s.end();
    assert.deepEqual(out, [{ a: 1 }, { b: 2 }]);
    assert.deepEqual(errors, ['oversized']);
    // Oversized within a single chunk too.
    assert.deepEqual(run([text], 100).records, [{ a: 1 }, { b: 2 }]);
  });

  it('reports a value cut by end of stream as truncated', () => {
    const r = run(['{"a":1}{"b":']);
    assert.deepEqual(r.records, [{ a: 1 }]);
    assert.deepEqual(
      r.errors.map((e) => e.kind),
      ['truncated'],
    );
  });
});

describe('SeparatedSplitter (Format none)', () => {
  function lines(
    chunks: string[],
    sep: string,
    max = 1024,
  ): { out: Record<string, unknown>[]; errors: number } {
    const out: Record<string, unknown>[] = [];
    let errors = 0;
    const s = new SeparatedSplitter(sep, max, () => errors++);
    for (const c of chunks) s.push(c, out);
    s.end(out);
    return { out, errors };
  }

  it('splits on a custom multi-character separator at every boundary', () => {
    const text = 'one\r\ntwo {"x":1}\r\n\r\nthree\r\nlast';
    for (let cut = 0; cut <= text.length; cut++) {
      const r = lines([text.slice(0, cut), text.slice(cut)], '\r\n');
      assert.deepEqual(
        r.out,
        ['one', 'two {"x":1}', 'three', 'last'].map((log) => ({ log })),
        `cut=${cut}`,
      );
    }
    assert.deepEqual(lines([...'a||b||c||'], '||').out, [{ log: 'a' }, { log: 'b' }, { log: 'c' }]);
  });

  it('drops a line longer than Buffer_Size and continues', () => {
    const text = `ok\n${'y'.repeat(300)}\nfine\n`;
    for (const size of [7, 50, 1000]) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      const r = lines(chunks, '\n', 100);
      assert.deepEqual(r.out, [{ log: 'ok' }, { log: 'fine' }], `size=${size}`);
      assert.equal(r.errors, 1);
    }
  });
});
