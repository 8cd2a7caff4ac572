import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { AgentConfigError } from './errors.ts';
import { checkAgentConfig, loadAgentConfig } from './load.ts';
import { MAX_CONFIG_FILE_BYTES } from './read.ts';
import { issuesOf, loadOk, projection, tmpConfig } from './test-helpers.ts';

const DOCS = join(import.meta.dirname, 'testdata', 'docs');
const ENV = { FLUENT_ELASTICSEARCH_HOST: 'elasticsearch', FLUENT_ELASTICSEARCH_PORT: '9200' };
const OUT = '[OUTPUT]\n    Name  stdout\n    Match *\n';

describe('Fluent Bit documentation examples', () => {
  const files = readdirSync(DOCS).sort();
  for (const f of files) {
    test(`${f} loads`, () => {
      const c = loadAgentConfig(join(DOCS, f), { env: ENV });
      assert.ok(c.files.length >= 1);
    });
  }
  for (const f of files.filter((x) => x.endsWith('.conf'))) {
    const yaml = f.replace(/\.conf$/, '.yaml');
    if (!files.includes(yaml)) continue;
    test(`${f} and ${yaml} give the same model`, () => {
      const a = loadAgentConfig(join(DOCS, f), { env: ENV });
      const b = loadAgentConfig(join(DOCS, yaml), { env: ENV });
      assert.equal(a.format, 'classic');
      assert.equal(b.format, 'yaml');
      assert.deepEqual(projection(b), projection(a));
    });
  }

  test('typed values: sizes in bytes, times in seconds, bools, lists, Retry_Limit', () => {
    const c = loadAgentConfig(join(DOCS, 'kubernetes.conf'), { env: ENV });
    const tail = c.inputs[0];
    assert.equal(tail?.tag, 'kube.*');
    assert.equal(tail?.values.mem_buf_limit, 5_000_000); // Fluent Bit's 5MB = 5,000,000
    assert.equal(tail?.values.buffer_chunk_size, 32768); // Fluent Bit's default
    assert.equal(tail?.values.refresh_interval, 10);
    assert.equal(tail?.values.rotate_wait, 5);
    assert.equal(tail?.values.skip_long_lines, true);
    assert.deepEqual(tail?.values['multiline.parser'], ['docker', 'cri']);
    const k8s = c.filters[0];
    assert.equal(k8s?.values.merge_log, true);
    assert.equal(k8s?.values['k8s-logging.exclude'], false);
    assert.equal(k8s?.values.buffer_size, 32000);
    assert.equal(k8s?.match?.('kube.var.log.containers.x.log'), true);
    const es = c.outputs[0];
    assert.equal(es?.values.host, 'elasticsearch');
    assert.equal(es?.values.port, 9200);
    assert.equal(es?.values.retry_limit, false); // False = no limit
    assert.equal(es?.values.workers, 2);
    const tcp = loadAgentConfig(join(DOCS, 'tcp.conf')).inputs[0];
    assert.equal(tcp?.values.chunk_size, 32 * 1024); // in_tcp counts kilobytes
    assert.equal(tcp?.values.separator, '\n');
    const fwd = loadAgentConfig(join(DOCS, 'forward-in.conf')).inputs[0];
    assert.equal(fwd?.values.buffer_chunk_size, 1_000_000);
    assert.deepEqual(fwd?.values['security.users'], ['fluentbit changeme']);
  });
});

describe('malformed configs', () => {
  const table: [name: string, files: Record<string, string | Uint8Array>, expected: RegExp[]][] = [
    ['no section', { 'f.conf': 'Name tail\n' }, [/^f\.conf:1: `Name` is outside any section/]],
    ['unindented key', { 'f.conf': '[INPUT]\nName tcp\n' }, [/^f\.conf:2: key `Name` is not indented/]],
    [
      'key without value',
      { 'f.conf': `[INPUT]\n    Name tcp\n    Port\n${OUT}` },
      [/^f\.conf:3: key `Port` has no value/],
    ],
    [
      'unknown section',
      { 'f.conf': `[INPUTS]\n    Name tcp\n${OUT}` },
      [/^f\.conf:1: unknown section \[INPUTS\], did you mean \[INPUT\]\?/],
    ],
    [
      'unsupported section',
      { 'f.conf': `[UPSTREAM]\n    Name x\n${OUT}` },
      [/^f\.conf:1: section \[UPSTREAM\] is a Fluent Bit section that Tributary does not support/],
    ],
    [
      'unknown plugin',
      { 'fluent-bit.conf': `[SERVICE]\n    Flush 1\n\n[INPUT]\n    Name tial\n${OUT}` },
      [/^fluent-bit\.conf:5: unknown input plugin `tial`, did you mean `tail`\?/],
    ],
    [
      'Fluent Bit plugin not implemented',
      { 'f.conf': `[INPUT]\n    Name cpu\n${OUT}` },
      [/^f\.conf:2: input plugin `cpu` is a Fluent Bit plugin that Tributary does not implement/],
    ],
    [
      'section without Name',
      { 'f.conf': `[INPUT]\n    Tag x\n${OUT}` },
      [/^f\.conf:1: \[INPUT\] has no `Name`/],
    ],
    [
      'unknown key',
      { 'f.conf': `[INPUT]\n    Name tail\n    Path /x\n    Refresh_Intervall 5\n${OUT}` },
      [
        /^f\.conf:4: unknown key `Refresh_Intervall` for input plugin `tail`, did you mean `Refresh_Interval`\?/,
      ],
    ],
    [
      'refused Fluent Bit key',
      { 'f.conf': `[INPUT]\n    Name tail\n    Path /x\n    Docker_Mode On\n    Parser_1 x\n${OUT}` },
      [/^f\.conf:4: `Docker_Mode` .* does not support: use `multiline.parser/, /^f\.conf:5: `Parser_1`/],
    ],
    [
      'bad values',
      {
        'f.conf': `[INPUT]\n    Name tail\n    Path /x\n    Buffer_Chunk_Size 12q\n    Read_from_Head maybe\n    Refresh_Interval soon\n[INPUT]\n    Name tcp\n    Port abc\n    Format xml\n[INPUT]\n    Name forward\n    Port 70000\n${OUT}`,
      },
      [
        /^f\.conf:4: bad value for `Buffer_Chunk_Size` .*invalid size "12q"/,
        /^f\.conf:5: bad value for `Read_from_Head` .*maybe/,
        /^f\.conf:6: bad value for `Refresh_Interval`/,
        /^f\.conf:9: bad value for `Port` .*whole number, got `abc`/,
        /^f\.conf:10: bad value for `Format` .*`xml` is not one of `json`, `none`/,
        /^f\.conf:13: bad value for `Port` .*at most 65535/,
      ],
    ],
    [
      'missing required key',
      { 'f.conf': `[INPUT]\n    Name tail\n${OUT}` },
      [/^f\.conf:1: input plugin `tail` is missing the required key `Path`/],
    ],
    [
      'truncated section header',
      { 'f.conf': `[INPUT]\n    Name tcp\n[OUTP` },
      [/^f\.conf:3: bad section header `\[OUTP`/],
    ],
    [
      'truncated after a key',
      { 'f.conf': `[INPUT]\n    Name tcp\n${OUT}[FILTER]\n    Name grep\n    Match` },
      [/^f\.conf:8: key `Match` has no value/],
    ],
    [
      'binary garbage',
      { 'f.conf': new Uint8Array([0x5b, 0x49, 0x00, 0xff, 0xfe, 0x01]) },
      [/^f\.conf: not a text file: NUL byte at offset 2/],
    ],
    [
      'invalid UTF-8',
      { 'f.conf': new Uint8Array([0x5b, 0x49, 0xff, 0xfe, 0x5d]) },
      [/^f\.conf: not a text file: invalid UTF-8/],
    ],
    [
      'huge file',
      { 'f.conf': `[INPUT]\n    Name tcp\n${'# padding padding padding\n'.repeat(50_000)}` },
      [new RegExp(`^f\\.conf: config file too large: limit is ${MAX_CONFIG_FILE_BYTES} bytes`)],
    ],
    [
      'filter rules',
      {
        'f.conf': `[INPUT]\n    Name tcp\n${OUT}[FILTER]\n    Name modify\n    Match *\n    Rename onlyone\n    Condition Key_Exist a\n[FILTER]\n    Name grep\n    Match *\n    Regex log (\n[FILTER]\n    Name rewrite_tag\n    Match *\n    Rule $a ^x$ new\n`,
      },
      [
        /^f\.conf:9: `Rename` expects KEY VALUE/,
        /^f\.conf:10: `Condition`: unknown condition `Key_Exist`, did you mean `key_exists`\?/,
        /^f\.conf:14: `Regex`: invalid regular expression/,
        /^f\.conf:18: `Rule` expects `\$KEY REGEX NEW_TAG KEEP` \(4 parts\)/,
      ],
    ],
    [
      'Match_Regex and Tag_Regex must compile',
      {
        'f.conf': `[INPUT]\n    Name tail\n    Path /x\n    Tag a.<b\n    Tag_Regex (?<b>x\n[OUTPUT]\n    Name null\n    Match_Regex [\n`,
      },
      [
        /^f\.conf:4: `Tag`: missing closing `>`/,
        /^f\.conf:5: `Tag_Regex`: invalid regular expression/,
        /^f\.conf:8: bad value for `Match_Regex`/,
      ],
    ],
    [
      'filesystem storage without storage.path',
      { 'f.conf': `[INPUT]\n    Name tcp\n    storage.type filesystem\n${OUT}` },
      [/^f\.conf:3: `storage.type filesystem` needs `storage.path`/],
    ],
    [
      'duplicate alias',
      { 'f.conf': `[INPUT]\n    Name tcp\n    Alias a\n[INPUT]\n    Name forward\n    Alias a\n${OUT}` },
      [/^f\.conf:6: alias `a` is already used/],
    ],
  ];
  for (const [name, files, expected] of table) {
    test(name, () => {
      const main = Object.keys(files)[0] ?? '';
      const issues = issuesOf(files, main);
      assert.equal(issues.length, expected.length, issues.join('\n'));
      expected.forEach((re, i) => assert.match(issues[i] ?? '', re));
    });
  }

  test('a missing main file', () => {
    const dir = tmpConfig({});
    assert.throws(
      () => loadAgentConfig(join(dir, 'nope.conf')),
      (err: unknown) => {
        assert.ok(err instanceof AgentConfigError);
        assert.match(err.issues[0]?.message ?? '', /no such file/);
        return true;
      },
    );
  });

  test('AgentConfigError lists every problem with file:line, and issues carry the key', () => {
    const dir = tmpConfig({
      'f.conf': `[INPUT]\n    Name tail\n    Path /x\n    Bufer_Size 1\n    Skip_Long_Lines perhaps\n${OUT}`,
    });
    try {
      loadAgentConfig(join(dir, 'f.conf'));
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof AgentConfigError);
      assert.equal(err.issues.length, 2);
      assert.deepEqual(
        err.issues.map((i) => [i.line, i.key]),
        [
          [4, 'Bufer_Size'],
          [5, 'Skip_Long_Lines'],
        ],
      );
      assert.match(err.message, /^invalid configuration \(2 problems\):\n {2}.*f\.conf:4: unknown key/);
    }
  });

  test('checkAgentConfig (for --dry-run) does not throw', () => {
    const dir = tmpConfig({ 'f.conf': '[INPUT]\n    Name nope\n' });
    const r = checkAgentConfig(join(dir, 'f.conf'), { env: {} });
    assert.equal(r.config, undefined);
    assert.equal(r.issues.length, 1);
  });

  test('a Parsers_File may hold only parsers', () => {
    const issues = issuesOf(
      {
        'f.conf': `[SERVICE]\n    Parsers_File p.conf\n[INPUT]\n    Name tcp\n${OUT}`,
        'p.conf': '[INPUT]\n    Name tcp\n',
      },
      'f.conf',
    );
    assert.match(issues[0] ?? '', /^p\.conf:1: a Parsers_File may only hold/);
  });

  test('a user parser named like a built-in replaces it', () => {
    const c = loadOk(
      {
        'f.conf': `[PARSER]\n    Name docker\n    Format json\n    Time_Key ts\n[INPUT]\n    Name tcp\n${OUT}`,
      },
      'f.conf',
    );
    const docker = c.parsers.filter((p) => p.name === 'docker');
    assert.equal(docker.length, 1);
    assert.equal(docker[0]?.timeKey, 'ts');
    assert.equal(docker[0]?.builtin, false);
  });
});
