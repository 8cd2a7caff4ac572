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
import { createModifyFilter } from './index.ts';

function run(plugin: FilterPlugin, events: LogEvent[], tag = 't'): LogEvent[] {
  const out = plugin.filter(tag, events, noEmit);
  assert.ok(Array.isArray(out), 'modify is synchronous');
  return out;
}

function filters(config: AgentConfig): FilterPlugin[] {
  return config.filters.map((f) => createModifyFilter(f, contextOf(config)));
}

/** One record through every filter of the config, in order. */
function through(config: AgentConfig, record: Record<string, unknown>): Record<string, unknown> {
  let events = [ev(record)];
  for (const f of filters(config)) events = run(f, events);
  assert.equal(events.length, 1);
  return (events[0] as LogEvent).record;
}

function modify(lines: string, record: Record<string, unknown>): Record<string, unknown> {
  const config = loadConfig(`[FILTER]\n    Name modify\n    Match *\n${lines}\n`);
  return through(config, record);
}

const MEM = (): Record<string, unknown> => ({
  'Mem.total': 1016044,
  'Mem.used': 841388,
  'Mem.free': 174656,
  'Swap.total': 2064380,
  'Swap.used': 139888,
  'Swap.free': 1924492,
});

describe('modify: Fluent Bit docs examples', () => {
  it('#1 add and rename (modify.conf): rules in file order across keys, key order kept', () => {
    const config = loadDocs('modify.conf');
    const out = run(createModifyFilter(filterAt(config, 0), contextOf(config)), [ev(MEM())]);
    const rec = (out[0] as LogEvent).record;
    assert.deepEqual(Object.entries(rec), [
      ['TotalMem', 1016044],
      ['MemUsed', 841388],
      ['MemFree', 174656],
      ['Swap.total', 2064380],
      ['SwapUsed', 139888],
      ['SwapFree', 1924492],
      ['Service1', 'SOMEVALUE'],
      ['Service3', 'SOMEVALUE3'],
      ['Mem.total2', 'TOTALMEM2'],
    ]);
  });

  it('#1 in YAML gives the same records as in classic', () => {
    for (const name of ['modify.conf', 'modify.yaml']) {
      const config = loadDocs(name);
      const renamed = through(config, MEM());
      assert.deepEqual(Object.keys(renamed), [
        'TotalMem',
        'MemUsed',
        'MemFree',
        'Swap.total',
        'SwapUsed',
        'SwapFree',
        'Service1',
        'Service3',
        'Mem.total2',
      ]);
      // The second filter's conditions: Mem.used was renamed away, so nothing is set.
      assert.equal(renamed.cpustats, undefined);
      const second = createModifyFilter(filterAt(config, 1), contextOf(config));
      const rec = (run(second, [ev(MEM())])[0] as LogEvent).record;
      assert.equal(rec.cpustats, 'UNKNOWN');
    }
  });

  it('#2 conditionally add and remove', () => {
    const config = loadConfig(`
[FILTER]
    Name    modify
    Match   mem.*
    Condition Key_Does_Not_Exist cpustats
    Condition Key_Exists Mem.used
    Set cpustats UNKNOWN

[FILTER]
    Name    modify
    Match   mem.*
    Condition Key_Value_Does_Not_Equal cpustats KNOWN
    Add sourcetype memstats

[FILTER]
    Name    modify
    Match   mem.*
    Condition Key_Value_Equals cpustats UNKNOWN
    Remove_wildcard Mem
    Remove_wildcard Swap
    Add cpustats_more STILL_UNKNOWN
`);
    assert.deepEqual(Object.entries(through(config, MEM())), [
      ['cpustats', 'UNKNOWN'],
      ['sourcetype', 'memstats'],
      ['cpustats_more', 'STILL_UNKNOWN'],
    ]);
  });

  it('#3 emoji', () => {
    const out = modify(
      [
        '    Remove_Wildcard Mem',
        '    Remove_Wildcard Swap',
        '    Set This_plugin_is_on 🔥',
        '    Set 🔥 is_hot',
        '    Copy 🔥 💦',
        '    Rename  💦 ❄️',
        '    Set ❄️ is_cold',
        '    Set 💦 is_wet',
      ].join('\n'),
      MEM(),
    );
    assert.deepEqual(Object.entries(out), [
      ['This_plugin_is_on', '🔥'],
      ['🔥', 'is_hot'],
      ['❄️', 'is_cold'],
      ['💦', 'is_wet'],
    ]);
  });

  it('the docs usage example: rename Key2, add OtherKey', () => {
    const out = modify('    Rename Key2 RenamedKey\n    Add OtherKey Value3', {
      Key1: 'Value1',
      Key2: 'Value2',
    });
    assert.deepEqual(Object.entries(out), [
      ['Key1', 'Value1'],
      ['RenamedKey', 'Value2'],
      ['OtherKey', 'Value3'],
    ]);
  });
});

describe('modify: rules', () => {
  it('Set replaces and moves the key to the end; Add only adds', () => {
    const out = modify('    Set a X\n    Add b Y\n    Add c Z', { a: 1, b: 2 });
    assert.deepEqual(Object.entries(out), [
      ['b', 2],
      ['a', 'X'],
      ['c', 'Z'],
    ]);
  });

  it('values with spaces are quoted', () => {
    assert.deepEqual(modify('    Set msg "hello world"', {}), { msg: 'hello world' });
  });

  it('Remove, Remove_wildcard (a trailing * reads as the wildcard), Remove_regex', () => {
    const rec = { a: 1, ab: 2, b: 3, 'x.1': 4, 'x.2': 5, keep: 6 };
    assert.deepEqual(modify('    Remove a', { ...rec }), { ab: 2, b: 3, 'x.1': 4, 'x.2': 5, keep: 6 });
    assert.deepEqual(modify('    Remove_wildcard a', { ...rec }), { b: 3, 'x.1': 4, 'x.2': 5, keep: 6 });
    assert.deepEqual(modify('    Remove_wildcard x.*', { ...rec }), { a: 1, ab: 2, b: 3, keep: 6 });
    assert.deepEqual(modify('    Remove_regex ^x\\.\\d$', { ...rec }), { a: 1, ab: 2, b: 3, keep: 6 });
    assert.deepEqual(modify('    Remove missing', { a: 1 }), { a: 1 });
  });

  it('Rename keeps the position and never overwrites; Hard_rename overwrites', () => {
    assert.deepEqual(Object.entries(modify('    Rename a z', { a: 1, b: 2 })), [
      ['z', 1],
      ['b', 2],
    ]);
    assert.deepEqual(modify('    Rename a b', { a: 1, b: 2 }), { a: 1, b: 2 });
    assert.deepEqual(Object.entries(modify('    Hard_rename a b', { a: 1, b: 2, c: 3 })), [
      ['b', 1],
      ['c', 3],
    ]);
    assert.deepEqual(modify('    Hard_rename missing b', { b: 2 }), { b: 2 });
  });

  it('Copy inserts after the source and never overwrites; Hard_copy overwrites; copies are deep', () => {
    assert.deepEqual(Object.entries(modify('    Copy a c', { a: 1, b: 2 })), [
      ['a', 1],
      ['c', 1],
      ['b', 2],
    ]);
    assert.deepEqual(modify('    Copy a b', { a: 1, b: 2 }), { a: 1, b: 2 });
    assert.deepEqual(Object.entries(modify('    Hard_copy a b', { b: 2, a: 1 })), [
      ['a', 1],
      ['b', 1],
    ]);
    const out = modify('    Copy a b', { a: { n: [1] } });
    (out.a as { n: number[] }).n.push(2);
    assert.deepEqual(out.b, { n: [1] });
  });

  it('Move_to_start and Move_to_end move every key with the prefix, keeping their order', () => {
    const rec = { a: 1, k1: 2, b: 3, k2: 4 };
    assert.deepEqual(Object.keys(modify('    Move_to_start k*', { ...rec })), ['k1', 'k2', 'a', 'b']);
    assert.deepEqual(Object.keys(modify('    Move_to_end k', { ...rec })), ['a', 'b', 'k1', 'k2']);
  });

  it('rules apply in the order written, each on the result of the previous', () => {
    const out = modify('    Rename a b\n    Set a again\n    Copy b c\n    Remove b', { a: 1 });
    assert.deepEqual(Object.entries(out), [
      ['c', 1],
      ['a', 'again'],
    ]);
  });

  it('a __proto__ key stays data', () => {
    const rec = JSON.parse('{"__proto__": 1, "a": 2}') as Record<string, unknown>;
    const out = modify('    Rename a b', rec);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__', 'b']);
  });
});

describe('modify: conditions', () => {
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['Key_exists a', { a: null }, true],
    ['Key_exists a', { b: 1 }, false],
    ["Key_exists $k['labels']['app']", { k: { labels: { app: 'x' } } }, true],
    ["Key_exists $k['labels']['app']", { k: { labels: {} } }, false],
    ['Key_exists $list[1]', { list: [1, 2] }, true],
    ['Key_exists $list[2]', { list: [1, 2] }, false],
    ['Key_does_not_exist a', { b: 1 }, true],
    ['Key_does_not_exist a', { a: 1 }, false],
    ['A_key_matches ^x', { ab: 1, xy: 2 }, true],
    ['A_key_matches ^x', { ab: 1 }, false],
    ['No_key_matches ^x', { ab: 1 }, true],
    ['No_key_matches ^x', { xa: 1 }, false],
    ['Key_value_equals a v', { a: 'v' }, true],
    ['Key_value_equals a 1', { a: 1 }, false],
    ['Key_value_equals a v', {}, false],
    ['Key_value_does_not_equal a v', { a: 'w' }, true],
    ['Key_value_does_not_equal a v', { a: 'v' }, false],
    ['Key_value_does_not_equal a v', {}, false],
    ['Key_value_matches a ^v\\d$', { a: 'v1' }, true],
    ['Key_value_matches a ^tr', { a: true }, true],
    ['Key_value_matches a ^1$', { a: 1 }, false],
    ['Key_value_does_not_match a ^v', { a: 'w' }, true],
    ['Key_value_does_not_match a ^v', {}, false],
    ['Matching_keys_have_matching_values ^k ^ok', { k1: 'ok', k2: 'okay', x: 'no' }, true],
    ['Matching_keys_have_matching_values ^k ^ok', { k1: 'ok', k2: 'no' }, false],
    ['Matching_keys_have_matching_values ^k ^ok', { x: 'no' }, true],
    ['Matching_keys_do_not_have_matching_values ^k ^ok', { k1: 'ok', k2: 'no' }, true],
    ['Matching_keys_do_not_have_matching_values ^k ^ok', { k1: 'ok' }, false],
  ];
  for (const [condition, record, holds] of cases) {
    it(`${condition} on ${JSON.stringify(record)}: ${holds}`, () => {
      const out = modify(`    Condition ${condition}\n    Add matched yes`, { ...record });
      assert.equal(out.matched, holds ? 'yes' : undefined);
    });
  }

  it('every condition must hold, and they are checked on the record before any rule', () => {
    const lines = '    Condition Key_exists a\n    Condition Key_exists b\n    Remove b\n    Add done 1';
    assert.deepEqual(modify(lines, { a: 1, b: 2 }), { a: 1, done: '1' });
    assert.deepEqual(modify(lines, { a: 1 }), { a: 1 });
  });

  it('condition names are case-insensitive; Onigmo regex syntax is understood', () => {
    const out = modify('    Condition KEY_VALUE_MATCHES id ^\\h+$\n    Add hex yes', { id: 'beef01' });
    assert.equal(out.hex, 'yes');
  });
});

describe('modify: malformed values are config errors naming file:line and key', () => {
  function base() {
    const config = loadConfig('[FILTER]\n    Name modify\n    Match *\n    Add a b\n');
    return { config, instance: filterAt(config) };
  }

  function rejects(key: string, values: string[], pattern: RegExp): void {
    const { config, instance } = base();
    assert.throws(
      () => createModifyFilter(withValues(instance, key, values, 7), contextOf(config)),
      (err: unknown) => {
        assert.ok(err instanceof AgentConfigError);
        assert.match(err.message, /fluent-bit\.conf:7: /);
        assert.match(err.message, new RegExp(`\`${key}\` \\(filter modify\\.0\\)`));
        assert.match(err.message, pattern);
        return true;
      },
    );
  }

  it('wrong number of words', () => {
    rejects('Set', ['onlykey'], /expects `KEY VALUE`.*got 1/);
    rejects('Set', ['a b c'], /quote a value with spaces.*got 3/);
    rejects('Rename', ['a'], /expects `KEY NEW_KEY`/);
    rejects('Remove', ['a b'], /expects `KEY`/);
  });

  it('unterminated quotes', () => {
    rejects('Set', ['a "b'], /unterminated/);
  });

  it('bad regexes, including ones JavaScript accepts but Onigmo syntax makes invalid', () => {
    rejects('Remove_regex', ['('], /invalid regular expression `\(`/);
    rejects('Remove_regex', ['[[:^alpha:]]'], /negated POSIX class/);
    rejects('Condition', ['A_key_matches ('], /invalid regular expression/);
  });

  it('bad conditions', () => {
    rejects('Condition', ['Bogus a'], /unknown condition `Bogus`/);
    rejects('Condition', ['Key_exists'], /`Key_exists` expects `KEY`/);
    rejects('Condition', ['Key_exists a b'], /`Key_exists` expects `KEY`, got `a b`/);
    rejects('Condition', ['Key_value_equals a'], /expects `KEY VALUE`/);
    rejects('Condition', ["Key_exists $a['b"], /unterminated/);
  });

  it('the config loader already refuses what it can see, with the line', () => {
    assert.throws(
      () => loadConfig('[FILTER]\n    Name modify\n    Match *\n    Set onlykey\n'),
      /fluent-bit\.conf:4: `Set` expects KEY VALUE/,
    );
  });
});

describe('modify: the hot path', () => {
  it('returns the same array and leaves records it does not touch alone', () => {
    const config = loadConfig(
      '[FILTER]\n    Name modify\n    Match *\n    Condition Key_exists x\n    Set y 1\n',
    );
    const f = createModifyFilter(filterAt(config), contextOf(config));
    const a = { a: 1 };
    const events = [ev(a), ev({ x: 1 })];
    const out = run(f, events);
    assert.equal(out, events);
    assert.equal((out[0] as LogEvent).record, a);
    assert.deepEqual(records(out), [{ a: 1 }, { x: 1, y: '1' }]);
  });
});
