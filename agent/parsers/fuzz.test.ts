// Seeded, bounded fuzzing: whatever the line, parsers return a result or a
// ParseError and multiline parsers return records — nothing throws.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUILTIN_PARSER_DEFINITIONS, getBuiltinParser } from './builtin.ts';
import { ParseError } from './errors.ts';
import { createMultilineParser } from './multiline.ts';
import { createParser } from './parser.ts';
import type { Parser } from './types.ts';

function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x6d2b79f5) >>> 0;
    let t = x;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [
  '{"log":"x\\n","stream":"stdout","time":"2021-02-01T01:40:03.53412Z"}',
  '2019-01-01T00:00:00.123456789Z stdout P partial',
  'key=value key2="quoted \\" value" flag',
  '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "-"',
  'Traceback (most recent call last):',
  '  File "x.py", line 1, in <module>',
  'panic: boom',
  'goroutine 1 [running]:',
  '\tat com.x.Y.z(Y.java:1)',
];
const ALPHABET = '{}[]":,\\ =\t\n\r0123456789abcdefTZ+-.%/<>éあ\u0000\uD800';

function randomLine(r: () => number): string {
  const mode = r();
  if (mode < 0.5) {
    // mutate a realistic line
    const base = SEEDS[Math.floor(r() * SEEDS.length)] as string;
    const chars = base.split('');
    const edits = 1 + Math.floor(r() * 6);
    for (let i = 0; i < edits; i++) {
      const at = Math.floor(r() * (chars.length + 1));
      const c = ALPHABET[Math.floor(r() * ALPHABET.length)] as string;
      const op = r();
      if (op < 0.4) chars.splice(at, 1);
      else if (op < 0.8) chars.splice(at, 0, c);
      else chars.length = Math.min(chars.length, at);
    }
    return chars.join('');
  }
  let s = '';
  const len = Math.floor(r() * 120);
  for (let i = 0; i < len; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}

describe('fuzz', () => {
  const parsers: Parser[] = [
    ...Object.keys(BUILTIN_PARSER_DEFINITIONS).map((n) => getBuiltinParser(n) as Parser),
    createParser({
      name: 'lf',
      format: 'logfmt',
      time_key: 'ts',
      time_format: '%s.%L',
      types: 'a:integer b:float c:bool d:hex',
    }),
    createParser({
      name: 'dec',
      format: 'json',
      decode_field_as: ['escaped_utf8 log do_next', 'json log'],
      decode_field: 'json stream',
    }),
    createParser({
      name: 'tz',
      format: 'regex',
      regex: '^(?<time>[^|]*)\\|(?<rest>.*)$',
      time_format: '%a %b %e %I:%M:%S %p %Z %Y %j %z',
      types: 'rest:hex',
    }),
  ];

  test('parsers never throw (20k seeded lines each)', () => {
    const r = rng(20261123);
    for (let i = 0; i < 20000; i++) {
      const line = randomLine(r);
      for (const p of parsers) {
        const out = p.parse(line);
        assert.ok(out instanceof ParseError || (typeof out.record === 'object' && out.record !== null));
      }
    }
  });

  test('parseBuffer never throws on random bytes', () => {
    const r = rng(7);
    for (let i = 0; i < 5000; i++) {
      const buf = Buffer.alloc(Math.floor(r() * 64));
      for (let j = 0; j < buf.length; j++) buf[j] = Math.floor(r() * 256);
      for (const p of parsers) p.parseBuffer(buf);
    }
  });

  test('multiline parsers never throw and lose no line', () => {
    const r = rng(99);
    for (const name of ['docker', 'cri', 'go', 'python', 'java']) {
      const ml = createMultilineParser(name).create();
      let out = 0;
      for (let i = 0; i < 5000; i++) out += ml.push(randomLine(r)).length;
      out += ml.flush().length;
      assert.ok(out > 0 && out <= 5000, `${name}: ${out}`);
      assert.equal(ml.pendingSince, undefined);
    }
  });
});
