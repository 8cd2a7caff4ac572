import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMultilineParser, MultilineConfigError, parseRuleLine } from './multiline.ts';
import { createParser } from './parser.ts';
import type { ParseResult } from './types.ts';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number =>
  Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
const logs = (rs: ParseResult[]): unknown[] => rs.map((r) => r.record['log']);

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const docker = (log: string, stream = 'stdout', time = '2021-02-01T01:40:03.53412Z'): string =>
  JSON.stringify({ log, stream, time });

describe('multiline docker', () => {
  test('complete lines pass through as they are', () => {
    const ml = createMultilineParser('docker').create();
    const out = ml.push(docker('hey!\n'));
    assert.deepEqual(out, [
      {
        record: { log: 'hey!\n', stream: 'stdout', time: '2021-02-01T01:40:03.53412Z' },
        time: { seconds: utc(2021, 2, 1, 1, 40, 3), nanoseconds: 534120000 },
      },
    ]);
    assert.equal(ml.pendingSince, undefined);
  });

  test('partial lines (no trailing \\n) are joined; first line gives keys and time', () => {
    const ml = createMultilineParser('docker').create();
    assert.deepEqual(ml.push(docker('one, ', 'stdout', '2021-02-01T01:40:03.1Z')), []);
    assert.deepEqual(ml.push(docker('two, ', 'stdout', '2021-02-01T01:40:03.2Z')), []);
    const out = ml.push(docker('three\n', 'stdout', '2021-02-01T01:40:03.3Z'));
    assert.equal(out.length, 1);
    assert.deepEqual(out[0]?.record, {
      log: 'one, two, three\n',
      stream: 'stdout',
      time: '2021-02-01T01:40:03.1Z',
    });
    assert.equal(out[0]?.time?.nanoseconds, 100000000);
  });

  test('stdout and stderr partials interleave without mixing', () => {
    const ml = createMultilineParser('docker').create();
    assert.deepEqual(ml.push(docker('o1 ', 'stdout')), []);
    assert.deepEqual(ml.push(docker('e1 ', 'stderr')), []);
    assert.deepEqual(logs(ml.push(docker('o2\n', 'stdout'))), ['o1 o2\n']);
    assert.deepEqual(logs(ml.push(docker('e2\n', 'stderr'))), ['e1 e2\n']);
  });

  test('a line that is not docker JSON flushes what is pending and is kept as {log}', () => {
    const ml = createMultilineParser('docker').create();
    ml.push(docker('partial '));
    const out = ml.push('garbage line');
    assert.deepEqual(logs(out), ['partial ', 'garbage line']);
  });

  test('flush timeout: pendingSince and flushExpired with the caller clock', () => {
    const c = clock();
    const factory = createMultilineParser('docker', { now: c.now });
    assert.equal(factory.flushTimeoutMs, 4000);
    const ml = factory.create();
    ml.push(docker('never ends'));
    assert.equal(ml.pendingSince, 1_000_000);
    c.advance(3999);
    assert.deepEqual(ml.flushExpired(), []);
    c.advance(1);
    assert.deepEqual(logs(ml.flushExpired()), ['never ends']);
    assert.equal(ml.pendingSince, undefined);
    assert.deepEqual(ml.flush(), []);
  });

  test('independent instances per stream (file)', () => {
    const f = createMultilineParser('docker');
    const a = f.create();
    const b = f.create();
    a.push(docker('a1 '));
    b.push(docker('b1 '));
    assert.deepEqual(logs(b.push(docker('b2\n'))), ['b1 b2\n']);
    assert.deepEqual(logs(a.push(docker('a2\n'))), ['a1 a2\n']);
  });
});

describe('multiline cri', () => {
  test('P parts are joined until F; record keeps time, stream, _p of the first part', () => {
    const ml = createMultilineParser('cri').create();
    assert.deepEqual(ml.push('2019-01-01T00:00:00.000000001Z stdout P part one, '), []);
    assert.deepEqual(ml.push('2019-01-01T00:00:00.2Z stdout P part two, '), []);
    const out = ml.push('2019-01-01T00:00:00.3Z stdout F end');
    assert.deepEqual(out, [
      {
        record: {
          time: '2019-01-01T00:00:00.000000001Z',
          stream: 'stdout',
          _p: 'P',
          log: 'part one, part two, end',
        },
        time: { seconds: utc(2019, 1, 1), nanoseconds: 1 },
      },
    ]);
  });

  test('full lines pass straight through; an empty F line is kept', () => {
    const ml = createMultilineParser('cri').create();
    assert.deepEqual(logs(ml.push('2019-01-01T00:00:00Z stderr F whole')), ['whole']);
    assert.deepEqual(logs(ml.push('2019-01-01T00:00:00Z stderr F ')), ['']);
  });

  test('interleaved stdout / stderr', () => {
    const ml = createMultilineParser('cri').create();
    ml.push('2019-01-01T00:00:00Z stdout P a');
    ml.push('2019-01-01T00:00:00Z stderr P x');
    assert.deepEqual(logs(ml.push('2019-01-01T00:00:00Z stderr F y')), ['xy']);
    assert.deepEqual(logs(ml.push('2019-01-01T00:00:00Z stdout F b')), ['ab']);
  });

  test('non-CRI lines are kept as {log: line}', () => {
    const ml = createMultilineParser('cri').create();
    assert.deepEqual(ml.push('hello world', { seconds: 5, nanoseconds: 0 }), [
      { record: { log: 'hello world' }, time: { seconds: 5, nanoseconds: 0 } },
    ]);
  });
});

describe('multiline custom rules', () => {
  const def = {
    name: 'multiline-regex-test',
    type: 'regex',
    flush_timeout: 1000,
    rules: [
      '"start_state"   "/([a-zA-Z]+ \\d+ \\d+\\:\\d+\\:\\d+)(.*)/"  "cont"',
      { state: 'cont', regex: '/^\\s+at.*/', next_state: 'cont' },
    ],
  };

  test('Fluent Bit docs example: java-like stack trace', () => {
    const ml = createMultilineParser(def).create();
    const out: ParseResult[] = [];
    for (const line of [
      'single line...',
      'Dec 14 06:41:08 Exception in thread "main" java.lang.RuntimeException: Something has gone wrong, aborting!',
      '    at com.myproject.module.MyProject.badMethod(MyProject.java:22)',
      '    at com.myproject.module.MyProject.main(MyProject.java:6)',
      'another line...',
    ]) {
      out.push(...ml.push(line));
    }
    out.push(...ml.flush());
    assert.deepEqual(logs(out), [
      'single line...\n',
      'Dec 14 06:41:08 Exception in thread "main" java.lang.RuntimeException: Something has gone wrong, aborting!\n' +
        '    at com.myproject.module.MyProject.badMethod(MyProject.java:22)\n' +
        '    at com.myproject.module.MyProject.main(MyProject.java:6)\n',
      'another line...\n',
    ]);
  });

  test('a new start flushes the previous record; flush timeout applies', () => {
    const c = clock();
    const ml = createMultilineParser(def, { now: c.now }).create();
    ml.push('Dec 14 06:41:08 first');
    ml.push('  at a');
    assert.deepEqual(logs(ml.push('Dec 14 06:41:09 second')), ['Dec 14 06:41:08 first\n  at a\n']);
    c.advance(999);
    assert.deepEqual(ml.flushExpired(), []);
    c.advance(1);
    assert.deepEqual(logs(ml.flushExpired()), ['Dec 14 06:41:09 second\n']);
  });

  test('key_content + parser: json records joined on their log key', () => {
    const ml = createMultilineParser({
      name: 'json-ml',
      type: 'regex',
      key_content: 'log',
      parser: createParser({ name: 'j', format: 'json' }),
      rules: [
        { state: 'start_state', regex: '/^Traceback/', next_state: 'py' },
        { state: 'py', regex: '/^\\s+/', next_state: 'py' },
      ],
    }).create();
    ml.push('{"log":"Traceback (most recent call last):","pod":"a"}');
    ml.push('{"log":"  File x","pod":"a"}');
    const out = ml.push('{"log":"plain","pod":"a"}');
    assert.deepEqual(
      out.map((r) => r.record),
      [
        { log: 'Traceback (most recent call last):\n  File x', pod: 'a' },
        { log: 'plain', pod: 'a' },
      ],
    );
  });

  test('endswith in text mode: lines ending with a backslash continue', () => {
    const ml = createMultilineParser({
      name: 'bs',
      type: 'endswith',
      match_string: '\\',
      negate: true,
    }).create();
    assert.deepEqual(ml.push('a \\'), []);
    assert.deepEqual(logs(ml.push('b')), ['a \\\nb\n']);
  });

  test('buffer_limit flushes a truncated record', () => {
    const ml = createMultilineParser({
      name: 'cap',
      type: 'endswith',
      match_string: '.',
      buffer_limit: 10,
    }).create();
    ml.push('12345');
    const out = ml.push('67890abc');
    assert.deepEqual(logs(out), ['12345\n6789\n']);
  });

  test('parseRuleLine', () => {
    assert.deepEqual(parseRuleLine(`"start_state, x" "/^a b/" "cont"`), {
      state: 'start_state, x',
      regex: '/^a b/',
      next_state: 'cont',
    });
    assert.throws(() => parseRuleLine('"a" "b"'), /must be/);
  });

  test('definition errors name the parser and key', () => {
    const bad: [unknown, RegExp][] = [
      [{ name: 'm', type: 'lines' }, /'m': type: unknown type/],
      [
        { name: 'm', type: 'regex', rules: [{ state: 'cont', regex: '/a/', next_state: 'cont' }] },
        /no rule starts/,
      ],
      [
        { name: 'm', type: 'regex', rules: [{ state: 'start_state', regex: '/(/', next_state: 'x' }] },
        /rules\[0\]\.regex/,
      ],
      [{ name: 'm', type: 'endswith' }, /match_string: is required/],
      [
        { name: 'm', type: 'regex', parser: 'nope', key_content: 'log', rules: [] },
        /undefined parser 'nope'/,
      ],
      [{ name: 'm', type: 'equal', match_string: 'F', parser: 'docker' }, /key_content: is required/],
      [{ name: 'm', type: 'equal', match_string: 'F', flush_timeout: 'soon' }, /flush_timeout/],
      [{ name: 'm', type: 'equal', match_string: 'F', colour: 'red' }, /colour: unknown key/],
      ['kotlin', /no built-in multiline parser 'kotlin'/],
    ];
    for (const [d, re] of bad) {
      assert.throws(
        () => createMultilineParser(d as never),
        (e: unknown) => e instanceof MultilineConfigError && re.test(e.message),
        String(re),
      );
    }
  });
});

describe('multiline language built-ins', () => {
  function run(name: string, lines: string[]): unknown[] {
    const ml = createMultilineParser(name).create();
    const out: ParseResult[] = [];
    for (const l of lines) out.push(...ml.push(l));
    out.push(...ml.flush());
    return logs(out);
  }

  test('python traceback', () => {
    assert.deepEqual(
      run('python', [
        'before',
        'Traceback (most recent call last):',
        '  File "/app/x.py", line 3, in <module>',
        '    main()',
        'ValueError: bad value',
        'after',
      ]),
      [
        'before\n',
        'Traceback (most recent call last):\n  File "/app/x.py", line 3, in <module>\n    main()\nValueError: bad value\n',
        'after\n',
      ],
    );
  });

  test('java exception with Caused by and ... more', () => {
    assert.deepEqual(
      run('java', [
        'java.lang.IllegalStateException: outer',
        '\tat a.B.c(B.java:1)',
        'Caused by: java.io.IOException: inner',
        '\tat d.E.f(E.java:2)',
        '\t... 3 more',
        'next',
      ]),
      [
        'java.lang.IllegalStateException: outer\n\tat a.B.c(B.java:1)\nCaused by: java.io.IOException: inner\n\tat d.E.f(E.java:2)\n\t... 3 more\n',
        'next\n',
      ],
    );
  });

  test('go panic', () => {
    assert.deepEqual(
      run('go', [
        'panic: runtime error: index out of range',
        '',
        'goroutine 1 [running]:',
        'main.main()',
        '\t/app/main.go:5 +0x1d',
        'exit status 2',
      ]),
      [
        'panic: runtime error: index out of range\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1d\n',
        'exit status 2\n',
      ],
    );
  });

  test('a chain (multiline.parser docker, cri) picks the parser per line', () => {
    const ml = createMultilineParser(['docker', 'cri']).create();
    assert.deepEqual(ml.push('2019-01-01T00:00:00Z stdout P a'), []);
    assert.deepEqual(logs(ml.push('2019-01-01T00:00:00Z stdout F b')), ['ab']);
    assert.deepEqual(logs(ml.push(docker('d\n'))), ['d\n']);
    assert.deepEqual(logs(ml.push('neither')), ['neither']);
  });
});
