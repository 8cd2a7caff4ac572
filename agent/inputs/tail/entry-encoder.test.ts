// The JSON-to-msgpack fast path must give exactly what the JSON.parse path gives, line for line:
// generated, hand-picked and fuzzed lines through both, decoded and compared.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEventStream } from '../../../common/forward/index.ts';
import { benchLine } from '../../../test/bench/lib/records.ts';
import { createParser, getBuiltinParser } from '../../parsers/index.ts';
import type { Parser } from '../../parsers/index.ts';
import { EntryEncoder } from './entry-encoder.ts';
import type { LineView, RecordKeys } from './record-builder.ts';

function view(lines: readonly (string | Buffer)[]): LineView {
  const parts = lines.map((l) => (typeof l === 'string' ? Buffer.from(l) : l));
  const data = Buffer.concat(parts.flatMap((p) => [p, Buffer.from('\n')]));
  const starts = new Uint32Array(parts.length);
  const ends = new Uint32Array(parts.length);
  let at = 0;
  parts.forEach((p, i) => {
    starts[i] = at;
    ends[i] = at + p.length;
    at += p.length + 1;
  });
  return { data, starts, ends, count: parts.length, base: 1000, fileId: 'f1', path: '/var/log/x.log' };
}

/** The same parser without its fast path: the reference. */
function slowOf(p: Parser): Parser {
  return {
    name: p.name,
    format: p.format,
    parse: (l) => p.parse(l),
    parseBuffer: (b, s, e) => p.parseBuffer(b, s, e),
  };
}

function decode(stream: Uint8Array): unknown[] {
  return parseEventStream('t', stream)
    .decodeEntries()
    .map((e) => [e.time.seconds, e.time.nanoseconds, e.record]);
}

function same(
  parser: Parser,
  lines: readonly (string | Buffer)[],
  keys: RecordKeys = { key: 'log', pathKey: undefined, offsetKey: undefined },
): void {
  const v = view(lines);
  const fast = decode(new EntryEncoder(keys, parser).encode(v, 1_795_000_000_123));
  const slow = decode(new EntryEncoder(keys, slowOf(parser)).encode(v, 1_795_000_000_123));
  assert.equal(fast.length, lines.length);
  for (let i = 0; i < lines.length; i++) assert.deepEqual(fast[i], slow[i], `line ${i}: ${String(lines[i])}`);
}

const json = getBuiltinParser('json') as Parser;

describe('tail entry encoder: JSON to msgpack fast path', () => {
  it('matches JSON.parse on the benchmark lines, with Path_Key and Offset_Key', () => {
    same(
      json,
      Array.from({ length: 500 }, (_, i) => benchLine(i)),
      { key: 'log', pathKey: 'path', offsetKey: 'off' },
    );
  });

  it('matches on escapes, unicode, nesting, arrays, numbers and literals', () => {
    same(json, [
      '{}',
      '  { "a" : 1 , "b":[ ] , "c":{ } }  ',
      '{"s":"quote \\" backslash \\\\ slash \\/ \\b\\f\\n\\r\\t unicode \\u00e9\\u4e2d \\ud83d\\ude00"}',
      '{"raw":"héllo wörld 中文 😀"}',
      '{"n":[0,-0,1,-1,127,128,255,256,65535,65536,4294967295,4294967296,-32,-33,-2147483648,-2147483649,1.5,-2.25e-3,1E3,9007199254740993,1e400]}',
      '{"t":true,"f":false,"z":null,"nested":{"a":{"b":{"c":[1,{"d":"e"}]}}}}',
      `{"long":"${'x'.repeat(70000)}"}`,
      '{"dup":1,"dup":2}',
      '{"event.id":"mine","a":1}',
    ]);
  });

  it('gives up on what is not one valid JSON object, and the JSON.parse path decides', () => {
    same(json, [
      'plain text',
      '[1,2,3]',
      '{"a":1',
      '{"a":1}}',
      '{"a":1} trailing',
      '{"a":01}',
      '{"a":1.}',
      '{"a":"\\x"}',
      '{"a":"\\u12"}',
      '{"a":"tab\there"}',
      "{'a':1}",
      '{"a":tru}',
      '',
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      '{"deep":' + '['.repeat(100) + ']'.repeat(100) + '}',
    ]);
  });

  it('takes the time from Time_Key and removes it unless Time_Keep, as the parser does', () => {
    const keep = getBuiltinParser('docker') as Parser;
    same(keep, [
      '{"log":"x\\n","stream":"stdout","time":"2026-11-23T01:40:03.534120Z"}',
      '{"log":"no time"}',
    ]);
    const drop = createParser({
      name: 'j',
      format: 'json',
      time_key: 'ts',
      time_format: '%Y-%m-%dT%H:%M:%S.%L%z',
    });
    same(drop, [
      '{"a":1,"ts":"2026-11-23T01:40:03.5+0200","b":2}',
      '{"ts":"not a time","b":2}',
      '{"ts":12345}',
    ]);
  });

  it('fuzz: mutated lines give the same entries on both paths', () => {
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = '{}[]":,\\ 0123456789.-eEtrufalsn\u00e9\n';
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const chars = [...benchLine(i).slice(0, 60 + rnd(120))];
      for (let m = rnd(4); m >= 0; m--) chars[rnd(chars.length)] = alphabet[rnd(alphabet.length)] as string;
      lines.push(chars.join('').replace(/\n/g, ' '));
    }
    same(json, lines);
  });
});
