import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUILTIN_PARSER_DEFINITIONS, BUILTIN_PARSERS, getBuiltinParser } from './builtin.ts';
import { ParseError, ParserConfigError } from './errors.ts';
import { createParser } from './parser.ts';
import type { ParseResult } from './types.ts';

function ok(r: ParseResult | ParseError): ParseResult {
  if (r instanceof ParseError) assert.fail(`unexpected ParseError: ${r.reason}`);
  return r;
}

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number =>
  Date.UTC(y, mo - 1, d, h, mi, s) / 1000;

describe('json', () => {
  const plain = createParser({ name: 'j', format: 'json' });
  const timed = createParser({
    Name: 'jt',
    Format: 'json',
    Time_Key: 'ts',
    Time_Format: '%Y-%m-%dT%H:%M:%S.%L%z',
  });

  test('parses an object; no Time_Format means no time', () => {
    const r = ok(plain.parse('{"a":1,"b":"x","c":{"d":[1,2]},"e":null}'));
    assert.deepEqual(r.record, { a: 1, b: 'x', c: { d: [1, 2] }, e: null });
    assert.equal(r.time, undefined);
  });

  test('Time_Keep Off removes the time key, keeping the other keys in order', () => {
    const r = ok(timed.parse('{"a":1,"ts":"2024-01-02T03:04:05.123456789Z","b":2}'));
    assert.deepEqual(r.time, { seconds: utc(2024, 1, 2, 3, 4, 5), nanoseconds: 123456789 });
    assert.deepEqual(Object.keys(r.record), ['a', 'b']);
  });

  test('Time_Keep On keeps it', () => {
    const p = createParser({ name: 'k', format: 'json', time_key: 'ts', time_format: '%s', time_keep: 'On' });
    const r = ok(p.parse('{"ts":"1546300800","a":1}'));
    assert.deepEqual(r.record, { ts: '1546300800', a: 1 });
    assert.equal(r.time?.seconds, utc(2019, 1, 1));
  });

  test('a time that does not match keeps the record and the key, time undefined', () => {
    const r = ok(timed.parse('{"ts":"yesterday","a":1}'));
    assert.deepEqual(r.record, { ts: 'yesterday', a: 1 });
    assert.equal(r.time, undefined);
    const n = ok(timed.parse('{"ts":12345}'));
    assert.equal(n.time, undefined);
    assert.deepEqual(n.record, { ts: 12345 });
  });

  test('Time_Key defaults to "time" when only Time_Format is set', () => {
    const p = createParser({ name: 'd', format: 'json', time_format: '%s' });
    assert.equal(ok(p.parse('{"time":"10"}')).time?.seconds, 10);
  });

  test('malformed input is a ParseError, never a throw', () => {
    for (const bad of [
      '',
      '   ',
      '{"a":1',
      '{"a":}',
      '[1,2]',
      '"str"',
      '42',
      'null',
      'plain text',
      '{"a":1} trailing',
      '\u0000',
    ]) {
      const r = plain.parse(bad);
      assert.ok(r instanceof ParseError, `expected ParseError for ${JSON.stringify(bad)}`);
      assert.equal(typeof r.reason, 'string');
    }
  });

  test('invalid UTF-8 bytes decode to U+FFFD and still parse', () => {
    const buf = Buffer.concat([Buffer.from('{"msg":"a'), Buffer.from([0xff, 0xc3]), Buffer.from('b"}')]);
    const r = ok(plain.parseBuffer(buf));
    assert.equal(r.record['msg'], 'a\uFFFD\uFFFDb');
    // a sub-range of a larger buffer
    const big = Buffer.from('xx{"a":1}yy');
    assert.deepEqual(ok(plain.parseBuffer(big, 2, 9)).record, { a: 1 });
  });

  test('a 1 MiB line parses', () => {
    const msg = 'x'.repeat(1024 * 1024);
    const r = ok(timed.parse(`{"ts":"2024-01-02T03:04:05.5Z","msg":"${msg}"}`));
    assert.equal((r.record['msg'] as string).length, msg.length);
    assert.equal(r.time?.nanoseconds, 500000000);
  });

  test('__proto__ stays data', () => {
    const r = ok(timed.parse('{"__proto__":{"polluted":1},"ts":"2024-01-02T03:04:05.5Z"}'));
    assert.equal(Object.getPrototypeOf(r.record), Object.prototype);
    assert.deepEqual(Object.keys(r.record), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});

describe('regex', () => {
  test('named captures, Time_Key, Time_Format, Types', () => {
    const p = createParser({
      name: 'r',
      format: 'regex',
      regex: '^(?<time>[^ ]+) (?<level>\\w+) (?<code>\\d+) (?<dur>[\\d.]+) (?<ok>\\w+) (?<msg>.*)$',
      time_key: 'time',
      time_format: '%Y-%m-%dT%H:%M:%S%z',
      types: 'code:integer dur:float ok:bool',
    });
    const r = ok(p.parse('2024-01-02T03:04:05+01:00 info 200 0.25 TRUE all good'));
    assert.deepEqual(r.record, { level: 'info', code: 200, dur: 0.25, ok: true, msg: 'all good' });
    assert.equal(r.time?.seconds, utc(2024, 1, 2, 2, 4, 5));
  });

  test('non-match is a ParseError', () => {
    const p = createParser({ name: 'r', format: 'regex', regex: '^(?<a>\\d+)$' });
    assert.ok(p.parse('abc') instanceof ParseError);
  });

  test('empty and unmatched captures are skipped unless Skip_Empty_Values Off', () => {
    const re = '^(?<a>[^,]*),(?<b>[^,]*)(?:,(?<c>.*))?$';
    assert.deepEqual(ok(createParser({ name: 'r', format: 'regex', regex: re }).parse('x,')).record, {
      a: 'x',
    });
    const keep = createParser({ name: 'r', format: 'regex', regex: re, skip_empty_values: false });
    assert.deepEqual(ok(keep.parse('x,')).record, { a: 'x', b: '' });
  });

  test('a time that does not parse keeps the field; Time_Keep On keeps a parsed one', () => {
    const def = { name: 'r', format: 'regex', regex: '^(?<time>\\S+) (?<m>.*)$', time_format: '%s' };
    const r = ok(createParser(def).parse('soon hello'));
    assert.deepEqual(r.record, { time: 'soon', m: 'hello' });
    assert.equal(r.time, undefined);
    assert.deepEqual(ok(createParser(def).parse('5 hello')).record, { m: 'hello' });
    assert.deepEqual(ok(createParser({ ...def, time_keep: true }).parse('5 hello')).record, {
      time: '5',
      m: 'hello',
    });
  });

  test('Ruby syntax: /.../ wrapper, \\h, \\A, \\z, POSIX classes, (?i)', () => {
    const p = createParser({ name: 'r', format: 'regex', regex: '/\\A(?<id>\\h+) (?<w>[[:alpha:]]+)\\z/' });
    assert.deepEqual(ok(p.parse('0aF9 Hello')).record, { id: '0aF9', w: 'Hello' });
    assert.ok(p.parse('0aG9 Hello') instanceof ParseError);
    const i = createParser({ name: 'r', format: 'regex', regex: "(?i)^(?'lvl'error|warn)" });
    assert.deepEqual(ok(i.parse('ERROR x')).record, { lvl: 'ERROR' });
  });

  test('decoders: Decode_Field_As escaped and Decode_Field json', () => {
    const p = createParser({
      name: 'r',
      format: 'regex',
      regex: '^(?<log>.*)$',
      decode_field_as: 'escaped log try_next',
    });
    assert.equal(ok(p.parse('a\\tb\\nc')).record['log'], 'a\tb\nc');
    const j = createParser({ name: 'r', format: 'regex', regex: '^(?<log>.*)$', decode_field: 'json log' });
    assert.deepEqual(ok(j.parse('{\\"x\\":1,\\"y\\":\\"z\\"}')).record, {
      log: '{\\"x\\":1,\\"y\\":\\"z\\"}',
      x: 1,
      y: 'z',
    });
    assert.deepEqual(ok(j.parse('not json')).record, { log: 'not json' });
    const as = createParser({ name: 'j', format: 'json', decode_field_as: ['json log'] });
    assert.deepEqual(ok(as.parse('{"log":"{\\"a\\":[1]}"}')).record, { log: { a: [1] } });
  });
});

describe('logfmt', () => {
  const p = createParser({ name: 'l', format: 'logfmt' });

  test('pairs, quoted values, bare keys, empty values', () => {
    const r = ok(
      p.parse('key=value key2="quoted value" flag empty= q="" esc="a \\"b\\" \\\\ c" unicode=héllo'),
    );
    assert.deepEqual(r.record, {
      key: 'value',
      key2: 'quoted value',
      flag: true,
      empty: true,
      q: '',
      esc: 'a "b" \\ c',
      unicode: 'héllo',
    });
  });

  test('garbage is skipped; nothing at all is a ParseError', () => {
    assert.deepEqual(ok(p.parse('  ==  a=1 "junk" b=2')).record, { a: '1', junk: true, b: '2' });
    assert.ok(p.parse('') instanceof ParseError);
    assert.ok(p.parse(' = = "" ') instanceof ParseError);
  });

  test('stops at a newline; unterminated quote takes the rest', () => {
    assert.deepEqual(ok(p.parse('a=1\nb=2')).record, { a: '1' });
    assert.deepEqual(ok(p.parse('a="unterminated')).record, { a: 'unterminated' });
  });

  test('Logfmt_No_Bare_Keys rejects lines with bare keys', () => {
    const s = createParser({ name: 'l', format: 'logfmt', logfmt_no_bare_keys: 'on' });
    assert.ok(s.parse('a=1 flag') instanceof ParseError);
    assert.deepEqual(ok(s.parse('a=1 b=')).record, { a: '1', b: true });
  });

  test('time and types', () => {
    const t = createParser({
      name: 'l',
      format: 'logfmt',
      time_key: 'ts',
      time_format: '%Y-%m-%dT%H:%M:%S.%L%z',
      types: 'status:integer took:float id:hex',
    });
    const r = ok(t.parse('ts=2024-01-02T03:04:05.250Z status=200 took=1.5e3 id=0xff msg=hi'));
    assert.deepEqual(r.record, { status: 200, took: 1500, id: 255, msg: 'hi' });
    assert.deepEqual(r.time, { seconds: utc(2024, 1, 2, 3, 4, 5), nanoseconds: 250000000 });
    const bad = ok(t.parse('ts=never status=abc'));
    assert.deepEqual(bad.record, { ts: 'never', status: 'abc' });
    assert.equal(bad.time, undefined);
  });
});

describe('definition validation', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ name: 'p', format: 'csv' }, /parser 'p': format: unknown format 'csv'/],
    [{ name: 'p', format: 'ltsv' }, /not supported/],
    [{ name: 'p' }, /format: is required/],
    [{ format: 'json' }, /name/],
    [{ name: 'p', format: 'regex' }, /regex: is required/],
    [{ name: 'p', format: 'regex', regex: '(?<a>[a-' }, /parser 'p': regex: invalid regex/],
    [{ name: 'p', format: 'json', time_format: '%Y %Q' }, /time_format: unsupported directive '%Q'/],
    [{ name: 'p', format: 'json', time_offset: 'nine' }, /time_offset/],
    [
      { name: 'p', format: 'regex', regex: '(?<a>.)', types: 'a:number' },
      /parser 'p': types: .*unknown type 'number'/,
    ],
    [{ name: 'p', format: 'regex', regex: '(?<a>.)', types: 'a' }, /types: entry 'a' is not key:type/],
    [{ name: 'p', format: 'json', time_keep: 'maybe' }, /time_keep: expected On\/Off/],
    [{ name: 'p', format: 'json', tme_key: 'x' }, /tme_key: unknown key/],
    [{ name: 'p', format: 'json', time_zone: 'Europe/Paris' }, /time_zone: is not supported/],
    [
      { name: 'p', format: 'json', decode_field_as: 'mysql_quoted log' },
      /decode_field_as: decoder 'mysql_quoted'/,
    ],
    [{ name: 'p', format: 'json', decode_field: 'json' }, /decode_field:/],
  ];
  for (const [def, re] of cases) {
    test(`${JSON.stringify(def)} -> ${re}`, () => {
      assert.throws(
        () => createParser(def as never),
        (e: unknown) => e instanceof ParserConfigError && re.test(e.message),
      );
    });
  }
});

describe('built-in parsers (Fluent Bit parsers.conf)', () => {
  test('every definition compiles', () => {
    for (const name of Object.keys(BUILTIN_PARSER_DEFINITIONS)) assert.ok(getBuiltinParser(name), name);
    assert.equal(getBuiltinParser('nope'), undefined);
  });

  test('docker: json, time kept, %L with trailing Z', () => {
    const r = ok(
      BUILTIN_PARSERS.docker.parse('{"log":"hey!\\n","stream":"stdout","time":"2021-02-01T01:40:03.53412Z"}'),
    );
    assert.deepEqual(r.record, { log: 'hey!\n', stream: 'stdout', time: '2021-02-01T01:40:03.53412Z' });
    assert.deepEqual(r.time, { seconds: utc(2021, 2, 1, 1, 40, 3), nanoseconds: 534120000 });
  });

  test('cri: regex with nanoseconds and zone, time removed', () => {
    const r = ok(BUILTIN_PARSERS.cri.parse('2019-01-01T00:00:00.123456789+01:00 stderr F hello  world'));
    assert.deepEqual(r.record, { stream: 'stderr', logtag: 'F', message: 'hello  world' });
    assert.deepEqual(r.time, { seconds: utc(2018, 12, 31, 23), nanoseconds: 123456789 });
    assert.ok(BUILTIN_PARSERS.cri.parse('not cri') instanceof ParseError);
  });

  test('nginx and apache access logs', () => {
    const line =
      '192.168.1.1 - bob [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "http://x/" "curl/8"';
    const n = ok((getBuiltinParser('nginx') as NonNullable<ReturnType<typeof getBuiltinParser>>).parse(line));
    assert.deepEqual(n.record, {
      remote: '192.168.1.1',
      host: '-',
      user: 'bob',
      method: 'GET',
      path: '/a.gif',
      code: '200',
      size: '2326',
      referer: 'http://x/',
      agent: 'curl/8',
    });
    assert.equal(n.time?.seconds, utc(2000, 10, 10, 20, 55, 36));
  });

  test('syslog rfc3164 (no year: current year) and rfc5424', () => {
    const p = getBuiltinParser('syslog-rfc3164');
    const r = ok((p as NonNullable<typeof p>).parse('<34>Oct 11 22:14:15 mymachine su[123]: su root failed'));
    assert.equal(r.record['host'], 'mymachine');
    assert.equal(r.record['pid'], '123');
    assert.equal(r.record['message'], 'su root failed');
    assert.equal(r.time?.seconds, utc(new Date().getUTCFullYear(), 10, 11, 22, 14, 15));
    const q = getBuiltinParser('syslog-rfc5424');
    const s = ok(
      (q as NonNullable<typeof q>).parse('<165>1 2003-10-11T22:14:15.003Z host app 42 ID47 - msg here'),
    );
    assert.equal(s.time?.nanoseconds, 3000000);
    assert.equal(s.record['message'], 'msg here');
  });
});
