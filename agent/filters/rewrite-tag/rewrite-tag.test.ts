import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AgentConfigError } from '../../config/errors.ts';
import type { AgentConfig } from '../../config/types.ts';
import type { FilterPlugin, LogEvent } from '../../engine/types.ts';
import {
  contextOf,
  emitRecorder,
  ev,
  filterAt,
  loadConfig,
  loadDocs,
  recordingLogger,
  records,
  withValues,
} from '../test-helpers.ts';
import { createRewriteTagFilter, emitterName } from './index.ts';

function filterOf(config: AgentConfig, logger = recordingLogger()): FilterPlugin {
  return createRewriteTagFilter(filterAt(config), contextOf(config, logger));
}

function rewrite(
  rules: string[],
  tag: string,
  input: Record<string, unknown>[],
  env: Record<string, string> = {},
) {
  const config = loadConfig(
    `[FILTER]\n    Name rewrite_tag\n    Match *\n${rules.map((r) => `    Rule ${r}`).join('\n')}\n`,
    {},
    'fluent-bit.conf',
    env,
  );
  const { emit, emitted } = emitRecorder();
  const out = filterOf(config).filter(
    tag,
    input.map((r) => ev(r)),
    emit,
  );
  assert.ok(Array.isArray(out), 'rewrite_tag is synchronous');
  return { kept: records(out), emitted: emitted.map((e) => ({ tag: e.tag, record: e.event.record })) };
}

describe('rewrite_tag: Fluent Bit docs examples', () => {
  for (const name of ['rewrite-tag.conf', 'rewrite-tag.yaml']) {
    it(`${name}: re-emits as from.$TAG.new.$tool.$sub['s1']['s2'].out and drops the original`, () => {
      const config = loadDocs(name);
      const { emit, emitted } = emitRecorder();
      const record = { tool: 'fluent', sub: { s1: { s2: 'bit' } } };
      const input = [ev(record, 1580436933, 50569)];
      const out = filterOf(config).filter('test_tag', input, emit);
      assert.deepEqual(out, []);
      assert.equal(emitted.length, 1);
      assert.equal(emitted[0]?.tag, 'from.test_tag.new.fluent.bit.out');
      assert.deepEqual(emitted[0]?.event, { sec: 1580436933, nsec: 50569, record });
      assert.equal(
        emitterName(filterAt(config).instanceName, filterAt(config).values.emitter_name),
        're_emitted',
      );
    });
  }

  it('the NEW_TAG example: $TAG, $TAG[1], $1, a nested key and an environment variable', () => {
    const r = rewrite(
      ["$name ^([a-z]+)-([0-9]+)$ newtag.$TAG.$TAG[1].$1.$ss['s1']['s2'].out.${HOSTNAME} true"],
      'aa.bb.cc',
      [{ name: 'abc-123', ss: { s1: { s2: 'flb' } } }],
      { HOSTNAME: 'fluent' },
    );
    assert.deepEqual(
      r.emitted.map((e) => e.tag),
      ['newtag.aa.bb.cc.bb.abc.flb.out.fluent'],
    );
    assert.equal(r.kept.length, 1);
  });

  it('$0 is the whole match; $2 the second group; a group that did not take part is empty', () => {
    const r = rewrite(['$name ^([a-z]+)-([0-9]+)(x)?$ t.$0.$2.[$3] false'], 'x', [{ name: 'abc-123' }]);
    assert.deepEqual(
      r.emitted.map((e) => e.tag),
      ['t.abc-123.123.[]'],
    );
  });
});

describe('rewrite_tag: semantics', () => {
  it('the first rule that matches wins; records no rule matches stay', () => {
    const r = rewrite(['$level ^error$ errors false', '$level ^(error|warn)$ problems false'], 'app', [
      { level: 'error' },
      { level: 'warn' },
      { level: 'info' },
    ]);
    assert.deepEqual(r.emitted, [
      { tag: 'errors', record: { level: 'error' } },
      { tag: 'problems', record: { level: 'warn' } },
    ]);
    assert.deepEqual(r.kept, [{ level: 'info' }]);
  });

  it('audit events are retagged and routed, the rest stay (KEEP false)', () => {
    const r = rewrite(['$event.kind ^audit$ audit.$TAG false'], 'app.orders', [
      { 'event.kind': 'audit', actor: 'alice' },
      { 'event.kind': 'log' },
    ]);
    assert.deepEqual(r.emitted, [
      { tag: 'audit.app.orders', record: { 'event.kind': 'audit', actor: 'alice' } },
    ]);
    assert.deepEqual(r.kept, [{ 'event.kind': 'log' }]);
  });

  it('KEEP true keeps the original, and the emitted copy shares nothing with it', () => {
    const config = loadConfig('[FILTER]\n    Name rewrite_tag\n    Match *\n    Rule $a ^x$ copy true\n');
    const { emit, emitted } = emitRecorder();
    const original = ev({ a: 'x', nested: { n: 1 } });
    const input = [original];
    const out = filterOf(config).filter('t', input, emit);
    assert.equal(out, input);
    (original.record.nested as { n: number }).n = 2;
    assert.deepEqual(emitted[0]?.event.record, { a: 'x', nested: { n: 1 } });
  });

  it('only string values match; a missing key in NEW_TAG renders as nothing; values print as Fluent Bit prints them', () => {
    const r = rewrite(['$k ^. t.$missing.$n.$f.$b.$m false'], 'x', [
      { k: 1 },
      { k: 'y', n: 42, f: 1.5, b: true, m: { a: 1 } },
    ]);
    assert.deepEqual(r.kept, [{ k: 1 }]);
    assert.deepEqual(
      r.emitted.map((e) => e.tag),
      ['t..42.1.500000.true.{"a":1}'],
    );
  });

  it('a regex with spaces is quoted; $TAG[n] past the end is empty; a tag without dots is $TAG[0]', () => {
    const r = rewrite(['$msg "^hello world$" a.$TAG[0].$TAG[5].b false'], 'single', [{ msg: 'hello world' }]);
    assert.deepEqual(
      r.emitted.map((e) => e.tag),
      ['a.single..b'],
    );
  });

  it('a rule composing an empty tag keeps the record and says so once', () => {
    const config = loadConfig('[FILTER]\n    Name rewrite_tag\n    Match *\n    Rule $a ^x $missing false\n');
    const logger = recordingLogger();
    const f = filterOf(config, logger);
    const { emit, emitted } = emitRecorder();
    const out = f.filter('t', [ev({ a: 'x' }), ev({ a: 'x' })], emit);
    assert.equal((out as LogEvent[]).length, 2);
    assert.equal(emitted.length, 0);
    assert.equal(logger.lines.filter((l) => l.level === 'warn').length, 1);
  });

  it('returns the input array when nothing is dropped', () => {
    const config = loadConfig('[FILTER]\n    Name rewrite_tag\n    Match *\n    Rule $a ^x$ other false\n');
    const input = [ev({ a: 'y' }), ev({ b: 1 })];
    assert.equal(filterOf(config).filter('t', input, emitRecorder().emit), input);
  });
});

describe('rewrite_tag: malformed values are config errors naming file:line and key', () => {
  const config = loadConfig('[FILTER]\n    Name rewrite_tag\n    Match *\n    Rule $a ^x$ t false\n');

  function rejects(values: string[], pattern: RegExp): void {
    assert.throws(
      () => createRewriteTagFilter(withValues(filterAt(config), 'Rule', values, 21), contextOf(config)),
      (err: unknown) => {
        assert.ok(err instanceof AgentConfigError);
        assert.match(err.message, /fluent-bit\.conf:21: `Rule` \(filter rewrite_tag\.0\): /);
        assert.match(err.message, pattern);
        return true;
      },
    );
  }

  it('wrong number of parts', () => {
    rejects(['$a ^x$ t'], /expects `\$KEY REGEX NEW_TAG KEEP` \(4 parts.*got 3/);
    rejects(['$a ^x y$ t false'], /got 5/);
  });

  it('a key without $, a bad accessor, a bad regex, a bad KEEP', () => {
    rejects(['a ^x$ t false'], /must be a record accessor starting with `\$`/);
    rejects(["$a['b ^x$ t false"], /unterminated/);
    rejects(['$a ( t false'], /invalid regular expression `\(`/);
    rejects(['$a [[:^alpha:]] t false'], /negated POSIX class/);
    rejects(['$a ^x$ t maybe'], /KEEP must be true or false, got `maybe`/);
  });

  it('a bad NEW_TAG', () => {
    rejects(['$a ^x$ t.$TAG[x] false'], /`\$TAG\[n\]` needs a part number/);
    rejects(["$a ^x$ t.$k['x false"], /unterminated/);
    rejects(['$a ^x$ t.${HOME} false'], /environment variable/);
  });

  it('no rule at all', () => {
    assert.throws(
      () => createRewriteTagFilter(withValues(filterAt(config), 'Rule', []), contextOf(config)),
      /`Rule` \(filter rewrite_tag\.0\): rewrite_tag needs at least one `Rule`/,
    );
  });

  it('the config loader already refuses what it can see, with the line', () => {
    assert.throws(
      () => loadConfig('[FILTER]\n    Name rewrite_tag\n    Match *\n    Rule $a ^x$ t\n'),
      /fluent-bit\.conf:4: `Rule` expects/,
    );
  });
});
