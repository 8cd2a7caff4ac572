import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { checkAgentConfig } from './load.ts';
import { issuesOf, loadOk, tmpConfig } from './test-helpers.ts';

const OUT = '[OUTPUT]\n    Name  stdout\n    Match *\n';

describe('classic format: syntax', () => {
  test('sections, case-insensitive keys and section names, comments, CRLF', () => {
    const c = loadOk(
      {
        'f.conf':
          '# top comment\r\n[service]\r\n    # indented comment\r\n    FLUSH 2\r\n\r\n[Input]\r\n    name tail\r\n    PATH /var/log/*.log\r\n    read_FROM_head on\r\n[OUTPUT]\r\n    Name stdout\r\n    Match *\r\n',
      },
      'f.conf',
    );
    assert.equal(c.service.values.flush, 2);
    assert.equal(c.inputs[0]?.values.read_from_head, true);
    assert.deepEqual(c.inputs[0]?.values.path, ['/var/log/*.log']);
    assert.equal(c.inputs[0]?.properties.get('read_from_head')?.key, 'read_FROM_head');
  });

  test('values keep inner spaces and `#`; tabs separate key and value', () => {
    const c = loadOk(
      { 'f.conf': `[INPUT]\n    Name tail\n    Path /a b#c.log\n    Tag\tx\n${OUT}` },
      'f.conf',
    );
    assert.deepEqual(c.inputs[0]?.values.path, ['/a b#c.log']);
    assert.equal(c.inputs[0]?.tag, 'x');
  });

  test('repeatable keys collect in order; other repeats are errors', () => {
    const c = loadOk(
      {
        'f.conf': `[INPUT]\n    Name tcp\n${OUT}[FILTER]\n    Name modify\n    Match *\n    Add a 1\n    Rename b c\n    Add d 2\n`,
      },
      'f.conf',
    );
    assert.deepEqual(c.filters[0]?.values.add, ['a 1', 'd 2']);
    assert.deepEqual(
      c.filters[0]?.properties.get('add')?.occurrences.map((o) => o.line),
      [9, 11],
    );
    const twice = issuesOf({ 'f.conf': `[INPUT]\n    Name tcp\n    Port 1\n    port 2\n${OUT}` }, 'f.conf');
    assert.equal(twice.length, 1);
    assert.match(twice[0] ?? '', /^f\.conf:4: `port` is given twice \(first at .*f\.conf:3\)/);
  });

  test('indentation: tabs where spaces were used, or less indentation, is an error', () => {
    const issues = issuesOf({ 'f.conf': `[INPUT]\n    Name tcp\n\tTag x\n  Port 1\n${OUT}` }, 'f.conf');
    assert.deepEqual(issues, [
      'f.conf:3: inconsistent indentation: expected 4 spaces as on line 2, found 1 tab',
      'f.conf:4: inconsistent indentation: expected 4 spaces as on line 2, found 2 spaces',
    ]);
  });

  test('default tag and instance names follow Fluent Bit (`tail.0`, `tcp.1`)', () => {
    const c = loadOk(
      { 'f.conf': `[INPUT]\n    Name tail\n    Path /x\n[INPUT]\n    Name tcp\n    Alias api\n${OUT}` },
      'f.conf',
    );
    assert.equal(c.inputs[0]?.tag, 'tail.0');
    assert.equal(c.inputs[0]?.tagGiven, false);
    assert.equal(c.inputs[1]?.instanceName, 'api');
    assert.equal(c.outputs[0]?.instanceName, 'stdout.0');
  });

  test('one input and one output without Match: routed (Fluent Bit shortcut)', () => {
    const c = loadOk({ 'f.conf': '[INPUT]\n    Name tcp\n[OUTPUT]\n    Name null\n' }, 'f.conf');
    assert.equal(c.outputs[0]?.match?.('whatever'), true);
    assert.deepEqual(c.warnings, []);
  });

  test('output without Match among several: warning, matches nothing', () => {
    const c = loadOk(
      { 'f.conf': `[INPUT]\n    Name tcp\n[INPUT]\n    Name forward\n[OUTPUT]\n    Name null\n` },
      'f.conf',
    );
    assert.equal(c.outputs[0]?.match, undefined);
    assert.match(c.warnings[0]?.message ?? '', /no `Match`/);
  });
});

describe('classic format: @INCLUDE', () => {
  test('relative to the including file, then the main config directory', () => {
    const c = loadOk(
      {
        'main.conf': '[SERVICE]\n    Flush 1\n@INCLUDE conf.d/inputs.conf\n@INCLUDE outputs.conf\n',
        'conf.d/inputs.conf': '@INCLUDE more.conf\n[INPUT]\n    Name tcp\n    Tag a\n',
        'conf.d/more.conf': '[INPUT]\n    Name forward\n    Tag b\n',
        // Fluent Bit resolves against the main config's directory: still found from conf.d.
        'outputs.conf': '@INCLUDE conf.d/../filters.conf\n' + OUT,
        'filters.conf': '[FILTER]\n    Name grep\n    Match *\n    Regex log x\n',
      },
      'main.conf',
    );
    assert.deepEqual(
      c.inputs.map((i) => i.tag),
      ['b', 'a'],
    );
    assert.equal(c.filters.length, 1);
    assert.equal(c.files.length, 5);
  });

  test('glob patterns, sorted', () => {
    const c = loadOk(
      {
        'main.conf': '@INCLUDE inputs/*.conf\n' + OUT,
        'inputs/b.conf': '[INPUT]\n    Name tcp\n    Tag b\n',
        'inputs/a.conf': '[INPUT]\n    Name tcp\n    Tag a\n    Port 5171\n',
        'inputs/c.txt': 'not a config',
      },
      'main.conf',
    );
    assert.deepEqual(
      c.inputs.map((i) => i.tag),
      ['a', 'b'],
    );
  });

  test('glob without match, missing file: errors at the @INCLUDE line', () => {
    const issues = issuesOf(
      { 'main.conf': `@INCLUDE nope/*.conf\n@INCLUDE missing.conf\n${OUT}` },
      'main.conf',
    );
    assert.equal(issues.length, 2);
    assert.match(issues[0] ?? '', /^main\.conf:1: @INCLUDE nope\/\*\.conf: no file matches/);
    assert.match(issues[1] ?? '', /^main\.conf:2: @INCLUDE missing\.conf: no such file/);
  });

  test('include cycle → error naming the chain', () => {
    const issues = issuesOf(
      { 'a.conf': '@INCLUDE b.conf\n' + OUT, 'b.conf': '@INCLUDE c.conf\n', 'c.conf': '@INCLUDE a.conf\n' },
      'a.conf',
    );
    assert.equal(issues.length, 1);
    assert.match(
      issues[0] ?? '',
      /^c\.conf:1: include cycle: .*a\.conf -> .*b\.conf -> .*c\.conf -> .*a\.conf$/,
    );
  });

  test('self include and include through a symlink are cycles too', () => {
    assert.match(issuesOf({ 'a.conf': '@INCLUDE a.conf\n' }, 'a.conf')[0] ?? '', /include cycle/);
    const dir = tmpConfig({ 'a.conf': '@INCLUDE link.conf\n' + OUT });
    symlinkSync(join(dir, 'a.conf'), join(dir, 'link.conf'));
    const r = checkAgentConfig(join(dir, 'a.conf'), { env: {} });
    assert.match(r.issues[0]?.message ?? '', /include cycle/);
  });

  test('the same file twice (no cycle) is refused as Fluent Bit does', () => {
    const issues = issuesOf(
      { 'a.conf': '@INCLUDE x.conf\n@INCLUDE x.conf\n' + OUT, 'x.conf': '[INPUT]\n    Name tcp\n' },
      'a.conf',
    );
    assert.match(issues[0] ?? '', /^a\.conf:2: .*already included/);
  });
});

describe('classic format: @SET and ${VAR}', () => {
  const conf =
    '@SET MY_PORT=5171\n[INPUT]\n    Name tcp\n    Port ${MY_PORT}\n    Tag  ${TAG_FROM_ENV}\n' + OUT;
  test('@SET then environment', () => {
    const c = loadOk({ 'f.conf': conf }, 'f.conf', { TAG_FROM_ENV: 'env.tag', MY_PORT: '1' });
    assert.equal(c.inputs[0]?.values.port, 5171); // @SET wins over the environment
    assert.equal(c.inputs[0]?.tag, 'env.tag');
  });
  test('@SET after use still applies (Fluent Bit reads all @SET first)', () => {
    const c = loadOk({ 'f.conf': '[INPUT]\n    Name tcp\n    Tag ${T}\n@SET T=late\n' + OUT }, 'f.conf');
    assert.equal(c.inputs[0]?.tag, 'late');
  });
  test('undefined variable → error with file:line and key', () => {
    const dir = tmpConfig({ 'f.conf': conf });
    const r = checkAgentConfig(join(dir, 'f.conf'), { env: {} });
    assert.equal(r.issues.length, 1);
    assert.equal(r.issues[0]?.line, 5);
    assert.equal(r.issues[0]?.key, 'Tag');
    assert.match(r.issues[0]?.message ?? '', /`TAG_FROM_ENV` is not set/);
  });
  test('bad @SET, indented @SET, unknown command', () => {
    const issues = issuesOf(
      { 'f.conf': '@SET nothing\n@FOO bar\n[INPUT]\n    Name tcp\n    @SET A=1\n' + OUT },
      'f.conf',
    );
    assert.deepEqual(
      issues.map((i) => i.split(':')[1]),
      ['1', '2', '5'],
    );
    assert.match(issues[0] ?? '', /@SET expects/);
    assert.match(issues[1] ?? '', /unknown command `@FOO`/);
    assert.match(issues[2] ?? '', /must start at the beginning of the line/);
  });
});

describe('classic format: Parsers_File, [PARSER], [MULTILINE_PARSER]', () => {
  test('Parsers_File relative to the main config directory; multiline rules', () => {
    const c = loadOk(
      {
        'etc/fluent-bit.conf':
          '[SERVICE]\n    Parsers_File parsers/p.conf\n[INPUT]\n    Name tail\n    Path /x\n    Parser apache2\n    multiline.parser ml, docker\n' +
          OUT,
        'etc/parsers/p.conf':
          '[PARSER]\n    Name apache2\n    Format regex\n    Regex ^(?<host>[^ ]*) (?<rest>.*)$\n    Time_Offset +0200\n    Types code:integer size:integer\n[MULTILINE_PARSER]\n    name ml\n    type regex\n    flush_timeout 1000\n    rule "start_state" "/^\\d+/" "cont"\n    rule "cont" "/^\\s+at.*/" "cont"\n',
      },
      'etc/fluent-bit.conf',
    );
    const p = c.parsers.find((x) => x.name === 'apache2');
    assert.equal(p?.timeOffset, 7200);
    assert.deepEqual(p?.types, { code: 'integer', size: 'integer' });
    const ml = c.multilineParsers.find((x) => x.name === 'ml');
    assert.equal(ml?.flushTimeoutMs, 1000);
    assert.deepEqual(
      ml?.rules.map((r) => [r.states, r.regex, r.nextState]),
      [
        [['start_state'], '^\\d+', 'cont'],
        [['cont'], '^\\s+at.*', 'cont'],
      ],
    );
    assert.ok(c.parsers.some((x) => x.name === 'docker' && x.builtin));
    assert.ok(c.parsers.some((x) => x.name === 'cri' && x.builtin));
  });

  test('parser problems: missing file, ltsv, bad regex, unknown reference, bad rule', () => {
    const issues = issuesOf(
      {
        'f.conf':
          '[SERVICE]\n    Parsers_File nope.conf\n[PARSER]\n    Name a\n    Format ltsv\n[PARSER]\n    Name b\n    Format regex\n    Regex (unclosed\n[MULTILINE_PARSER]\n    name m\n    rule "start_state" "/x/"\n[INPUT]\n    Name tail\n    Path /x\n    Parser zzz\n    multiline.parser ruby\n' +
          OUT,
      },
      'f.conf',
    );
    assert.deepEqual(
      issues.map((i) => i.replace(/: .*/, '')),
      ['f.conf:2', 'f.conf:5', 'f.conf:9', 'f.conf:12', 'f.conf:16', 'f.conf:17'],
    );
    assert.match(issues[1] ?? '', /ltsv/);
    assert.match(issues[2] ?? '', /invalid regular expression/);
    assert.match(issues[3] ?? '', /a rule is/);
    assert.match(issues[4] ?? '', /no parser named `zzz`/);
    assert.match(issues[5] ?? '', /`ruby` is not implemented/);
  });
});
