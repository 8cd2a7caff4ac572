import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AgentConfigError } from '../../config/errors.ts';
import type { AgentConfig } from '../../config/types.ts';
import type { FilterPlugin, LogEvent } from '../../engine/types.ts';
import {
  contextOf,
  ev,
  filterAt,
  loadConfig,
  loadDocs,
  noEmit,
  records,
  withValues,
} from '../test-helpers.ts';
import { createGrepFilter } from './index.ts';

function run(plugin: FilterPlugin, events: LogEvent[]): LogEvent[] {
  const out = plugin.filter('t', events, noEmit);
  assert.ok(Array.isArray(out), 'grep is synchronous');
  return out;
}

function grep(lines: string, input: Record<string, unknown>[]): Record<string, unknown>[] {
  const config = loadConfig(`[FILTER]\n    Name grep\n    Match *\n${lines}\n`);
  return records(
    run(
      createGrepFilter(filterAt(config), contextOf(config)),
      input.map((r) => ev(r)),
    ),
  );
}

const LINES = ['aaa', 'aab', 'bbb', 'ccc', 'ddd', 'eee', 'fff', 'ggg'].map((log) => ({ log }));

describe('grep: Fluent Bit docs examples (grep.conf, grep.yaml)', () => {
  for (const name of ['grep.conf', 'grep.yaml']) {
    const config: AgentConfig = loadDocs(name);
    const filter = (n: number): FilterPlugin => createGrepFilter(filterAt(config, n), contextOf(config));

    it(`${name}: regex log aa keeps the lines starting with aa`, () => {
      assert.deepEqual(
        records(
          run(
            filter(0),
            LINES.map((r) => ev({ ...r })),
          ),
        ),
        [{ log: 'aaa' }, { log: 'aab' }],
      );
    });

    it(`${name}: exclude $kubernetes['labels']['app'] myapp drops by a nested value`, () => {
      const pod = (app: string) => ({
        log: 'something',
        kubernetes: { pod_name: 'myapp-0', labels: { app } },
      });
      const out = run(filter(1), [ev(pod('myapp')), ev(pod('other')), ev({ log: 'no kubernetes' })]);
      assert.deepEqual(
        records(out).map((r) => r.log),
        ['something', 'no kubernetes'],
      );
      assert.deepEqual((out[0] as LogEvent).record.kubernetes, {
        pod_name: 'myapp-0',
        labels: { app: 'other' },
      });
    });

    it(`${name}: logical_op or with two regexes`, () => {
      assert.deepEqual(
        records(
          run(
            filter(2),
            LINES.map((r) => ev({ ...r })),
          ),
        ),
        [{ log: 'aaa' }, { log: 'aab' }, { log: 'bbb' }],
      );
    });
  }

  it('the docs "multiple conditions" example (dummy input): value something or error', () => {
    const out = grep('    Logical_Op or\n    Regex value something\n    Regex value error', [
      { endpoint: 'localhost', value: 'something' },
      { endpoint: 'localhost', value: 'other' },
    ]);
    assert.deepEqual(out, [{ endpoint: 'localhost', value: 'something' }]);
  });

  it('the docs "missing or invalid fields" example: a missing key fails a Regex', () => {
    const out = grep('    Regex iot_timestamp ^\\d{4}-\\d{2}-\\d{2}', [
      { iot_timestamp: '2024-01-02T00:00:00' },
      { iot_timestamp: 'yesterday' },
      {},
      { iot_timestamp: '' },
    ]);
    assert.deepEqual(out, [{ iot_timestamp: '2024-01-02T00:00:00' }]);
  });
});

describe('grep: semantics', () => {
  it('legacy: an Exclude that matches drops; Regexes in order, the first that decides wins', () => {
    const lines = '    Exclude log ^x\n    Regex log a\n    Regex log b';
    assert.deepEqual(grep(lines, [{ log: 'xab' }, { log: 'ab' }, { log: 'a' }, { log: 'b' }]), [
      { log: 'ab' },
      // Fluent Bit's legacy mode keeps on the first Regex that matches: the second is not checked.
      { log: 'a' },
    ]);
  });

  it('legacy: Exclude only', () => {
    assert.deepEqual(grep('    Exclude log b\n    Exclude log c', LINES), [
      { log: 'aaa' },
      { log: 'ddd' },
      { log: 'eee' },
      { log: 'fff' },
      { log: 'ggg' },
    ]);
  });

  it('AND: every Regex must match; every Exclude must match to drop', () => {
    assert.deepEqual(grep('    Logical_Op AND\n    Regex log ^a\n    Regex log b$', LINES), [{ log: 'aab' }]);
    assert.deepEqual(grep('    Logical_Op and\n    Exclude log ^a\n    Exclude log b$', LINES).length, 7);
  });

  it('OR: any Exclude that matches drops', () => {
    assert.deepEqual(grep('    Logical_Op or\n    Exclude log ^a\n    Exclude log ^b', LINES).length, 5);
  });

  it('only strings match: numbers, booleans, maps and missing keys never do', () => {
    const input = [{ v: '1' }, { v: 1 }, { v: true }, { v: { x: '1' } }, {}];
    assert.deepEqual(grep('    Regex v 1', input), [{ v: '1' }]);
    assert.deepEqual(grep('    Exclude v .', input), [{ v: 1 }, { v: true }, { v: { x: '1' } }, {}]);
  });

  it('keys are record accessors, with or without $; array indexes; dots are part of a key name', () => {
    assert.deepEqual(grep("    Regex $a['b'][1] ^y$", [{ a: { b: ['x', 'y'] } }, { a: { b: ['y'] } }]), [
      { a: { b: ['x', 'y'] } },
    ]);
    assert.deepEqual(grep('    Regex $log ^a', [{ log: 'a' }, { log: 'b' }]), [{ log: 'a' }]);
    assert.deepEqual(grep('    Regex Mem.used ^1', [{ 'Mem.used': '12' }, { Mem: '1' }]), [
      { 'Mem.used': '12' },
    ]);
  });

  it('regexes search anywhere and use Onigmo syntax; the rest of the value (spaces too) is the regex', () => {
    assert.deepEqual(grep('    Regex log \\h{4}', [{ log: 'id=beef' }, { log: 'id=zzzz' }]), [
      { log: 'id=beef' },
    ]);
    assert.deepEqual(grep('    Regex log hello world', [{ log: 'say hello world' }, { log: 'hello' }]), [
      { log: 'say hello world' },
    ]);
    assert.deepEqual(grep('    Regex log /^ERROR/i', [{ log: 'error: x' }, { log: 'info' }]), [
      { log: 'error: x' },
    ]);
  });

  it('returns the input array when every record is kept, a new one otherwise', () => {
    const config = loadConfig('[FILTER]\n    Name grep\n    Match *\n    Regex log .\n');
    const f = createGrepFilter(filterAt(config), contextOf(config));
    const events = [ev({ log: 'a' }), ev({ log: 'b' })];
    assert.equal(run(f, events), events);
    const mixed = [ev({ log: 'a' }), ev({ log: '' }), ev({ log: 'c' })];
    const out = run(f, mixed);
    assert.notEqual(out, mixed);
    assert.deepEqual(records(out), [{ log: 'a' }, { log: 'c' }]);
    assert.equal(out[0], mixed[0]);
  });
});

describe('grep: malformed values are config errors naming file:line and key', () => {
  function rejects(config: AgentConfig, key: string, values: string[], pattern: RegExp): void {
    assert.throws(
      () => createGrepFilter(withValues(filterAt(config), key, values, 12), contextOf(config)),
      (err: unknown) => {
        assert.ok(err instanceof AgentConfigError);
        assert.match(err.message, /fluent-bit\.conf:12: `(Regex|Exclude)` \(filter grep\.0\): /);
        assert.match(err.message, pattern);
        return true;
      },
    );
  }
  const legacy = loadConfig('[FILTER]\n    Name grep\n    Match *\n    Regex log a\n');

  it('a rule without a regex', () => {
    rejects(legacy, 'Regex', ['log'], /expects `KEY REGEX`, got `log`/);
  });

  it('an invalid regex, or one Onigmo syntax makes invalid', () => {
    rejects(legacy, 'Regex', ['log ('], /invalid regular expression `\(`/);
    rejects(legacy, 'Exclude', ['log [[:^digit:]]'], /negated POSIX class/);
  });

  it('a bad record accessor', () => {
    rejects(legacy, 'Regex', ["$a['b x"], /unterminated/);
    rejects(legacy, 'Regex', ['$a[x] x'], /array index/);
  });

  it('Regex and Exclude together under Logical_Op AND/OR', () => {
    const config = loadConfig('[FILTER]\n    Name grep\n    Match *\n    Logical_Op AND\n    Regex log a\n');
    rejects(config, 'Exclude', ['log b'], /takes either `Regex` or `Exclude` rules, not both/);
  });

  it('the config loader already refuses what it can see, with the line', () => {
    assert.throws(
      () => loadConfig('[FILTER]\n    Name grep\n    Match *\n    Logical_Op maybe\n'),
      /fluent-bit\.conf:4: bad value for `Logical_Op`/,
    );
  });
});
