import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ConfigError, duration, loadYamlConfig, size } from './index.ts';

const schema = z.strictObject({
  endpoint: z.string().describe('Elasticsearch URL'),
  port: z.number().int().default(9200),
  buffer: size().prefault('8MiB'),
  flush: duration().prefault('1s'),
  secret: z.string().optional(),
  tls: z.strictObject({ enabled: z.boolean().default(false), ca: z.string().optional() }).prefault({}),
  pipelines: z.array(z.strictObject({ name: z.string() })).default([]),
});

function load(text: string, env: Record<string, string> = {}) {
  return loadYamlConfig({ text, source: 'test.yaml' }, schema, { env });
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
  }
  assert.fail('expected a ConfigError');
}

describe('loadYamlConfig', () => {
  it('loads a valid file with defaults applied', () => {
    const cfg = loadYamlConfig(new URL('./testdata/collector.yaml', import.meta.url).pathname, schema, {
      env: {},
    });
    assert.deepEqual(cfg, {
      endpoint: 'http://127.0.0.1:9200',
      port: 9200,
      buffer: 64 * 1024 * 1024,
      flush: 5000,
      tls: { enabled: true, ca: '/etc/tributary/ca.pem' },
      pipelines: [{ name: 'logs' }, { name: 'traces' }],
    });
  });

  it('applies defaults for absent keys', () => {
    assert.deepEqual(load('endpoint: http://x\n'), {
      endpoint: 'http://x',
      port: 9200,
      buffer: 8 * 1024 * 1024,
      flush: 1000,
      tls: { enabled: false },
      pipelines: [],
    });
  });

  describe('environment substitution', () => {
    it('substitutes a set variable and types a plain scalar like YAML would', () => {
      const cfg = load('endpoint: http://${HOST}:9200\nport: ${PORT}\ntls:\n  enabled: ${TLS}\n', {
        HOST: 'es',
        PORT: '9201',
        TLS: 'true',
      });
      assert.equal(cfg.endpoint, 'http://es:9200');
      assert.equal(cfg.port, 9201);
      assert.equal(cfg.tls.enabled, true);
    });

    it('keeps a quoted scalar a string', () => {
      const issues = issuesOf(() => load('endpoint: x\nport: "${PORT}"\n', { PORT: '9201' }));
      assert.deepEqual(issues, ['test.yaml:2:7: port: expected number, received string']);
    });

    it('uses the default when unset or empty', () => {
      assert.equal(load('endpoint: ${E:-http://d}\n').endpoint, 'http://d');
      assert.equal(load('endpoint: ${E:-http://d}\n', { E: '' }).endpoint, 'http://d');
      assert.equal(load('endpoint: ${E:-}x\n').endpoint, 'x');
      assert.equal(load('endpoint: ${E:-http://d}\n', { E: 'http://e' }).endpoint, 'http://e');
    });

    it('reports a missing variable with its name, file and line', () => {
      const issues = issuesOf(() => load('port: 1\nendpoint: http://${ES_HOST}:9200\nsecret: ${TOKEN}\n'));
      assert.equal(issues.length, 2);
      assert.match(issues[0] ?? '', /^test\.yaml:2:11: environment variable `ES_HOST` is not set/);
      assert.match(issues[1] ?? '', /^test\.yaml:3:9: environment variable `TOKEN` is not set/);
    });

    it('treats $${...} as a literal and leaves bare $VAR alone', () => {
      const cfg = load('endpoint: $${NOT_A_VAR}\nsecret: pa$$w0rd$X\n');
      assert.equal(cfg.endpoint, '${NOT_A_VAR}');
      assert.equal(cfg.secret, 'pa$$w0rd$X');
    });

    it('rejects malformed references', () => {
      assert.match(issuesOf(() => load('endpoint: ${1BAD}\n'))[0] ?? '', /invalid variable reference/);
      assert.match(issuesOf(() => load('endpoint: ${OPEN\n'))[0] ?? '', /unterminated/);
    });

    it('cannot inject structure through a variable value', () => {
      const evil = 'x\ntls:\n  enabled: true\nadmin: true';
      const cfg = load('endpoint: ${EVIL}\n', { EVIL: evil });
      assert.equal(cfg.endpoint, evil);
      assert.equal(cfg.tls.enabled, false);
      const flow = load('endpoint: ${EVIL}\n', { EVIL: '{a: 1}' });
      assert.equal(flow.endpoint, '{a: 1}');
      // An injected "${...}" inside a value is not expanded a second time.
      assert.equal(load('endpoint: ${A}\n', { A: '${B}', B: 'no' }).endpoint, '${B}');
    });

    it('does not substitute in keys', () => {
      const issues = issuesOf(() => load('endpoint: x\n${K}: 1\n', { K: 'port' }));
      assert.match(issues[0] ?? '', /unknown key `\$\{K\}`/);
    });
  });

  describe('validation errors', () => {
    it('names an unknown key with its line and a suggestion', () => {
      assert.deepEqual(
        issuesOf(() => load('endpont: http://x\n')),
        [
          'test.yaml:1:1: endpoint: missing required key (expected string)',
          'test.yaml:1:1: endpont: unknown key `endpont`, did you mean `endpoint`?',
        ],
      );
    });

    it('suggests in nested maps and lists, and lists known keys when nothing is close', () => {
      const issues = issuesOf(() =>
        load('endpoint: x\ntls:\n  enabeld: true\npipelines:\n  - name: a\n    zzzzzz: 1\n'),
      );
      assert.deepEqual(issues, [
        'test.yaml:3:3: tls.enabeld: unknown key `enabeld`, did you mean `enabled`?',
        'test.yaml:6:5: pipelines[0].zzzzzz: unknown key `zzzzzz` (known keys: name)',
      ]);
    });

    it('reports a wrong type with its line and column', () => {
      assert.deepEqual(
        issuesOf(() => load('endpoint: x\n\nport: nine\n')),
        ['test.yaml:3:7: port: expected number, received string'],
      );
    });

    it('lists every problem at once, in file order', () => {
      const issues = issuesOf(() => load('port: true\nbuffer: 12 parsecs\nflush: soon\nendpoint: 3\n'));
      assert.equal(issues.length, 4);
      assert.deepEqual(
        issues.map((l) => l.split(': ')[1]),
        ['port', 'buffer', 'flush', 'endpoint'],
      );
      assert.match(issues[1] ?? '', /^test\.yaml:2:9: buffer: invalid size "12 parsecs"/);
    });

    it('reports __proto__ as an unknown key without polluting anything', () => {
      const issues = issuesOf(() => load('endpoint: x\n__proto__:\n  polluted: true\n'));
      assert.match(issues[0] ?? '', /^test\.yaml:2:1: __proto__: unknown key/);
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    });
  });

  describe('malformed files', () => {
    it('reports a YAML syntax error with its line', () => {
      const issues = issuesOf(() => load('endpoint: x\ntls: {enabled: true\nport: 1\n'));
      assert.ok(issues.length >= 1);
      assert.match(issues[0] ?? '', /^test\.yaml:\d+:\d+: YAML syntax error: /);
    });

    it('reports a bad indentation with its line', () => {
      assert.match(
        issuesOf(() => load('endpoint: x\ntls:\n    enabled: true\n  ca: x\n'))[0] ?? '',
        /^test\.yaml:4:\d+: YAML syntax error/,
      );
    });

    it('reports a duplicate key with its line', () => {
      assert.deepEqual(
        issuesOf(() => load('endpoint: a\nport: 1\nendpoint: b\n')),
        ['test.yaml:3:1: duplicate key `endpoint`: each key may appear once in a map'],
      );
    });

    it('rejects an empty file and a comment-only file', () => {
      assert.match(issuesOf(() => load(''))[0] ?? '', /^test\.yaml:1:1: config is empty/);
      assert.match(issuesOf(() => load('# nothing\n'))[0] ?? '', /config is empty/);
    });

    it('rejects a top level that is not a map', () => {
      assert.match(
        issuesOf(() => load('- a\n- b\n'))[0] ?? '',
        /top level must be a map of settings, found a list/,
      );
      assert.match(issuesOf(() => load('just a string\n'))[0] ?? '', /found a single value/);
    });

    it('reports a truncated file', () => {
      assert.match(
        issuesOf(() => load('endpoint: "http://x\n'))[0] ?? '',
        /^test\.yaml:2:\d+: YAML syntax error/,
      );
      assert.match(issuesOf(() => load('pipelines: [ {name: a}, {name: '))[0] ?? '', /YAML syntax error/);
    });

    it('rejects several documents in one file', () => {
      assert.match(issuesOf(() => load('endpoint: a\n---\nendpoint: b\n'))[0] ?? '', /YAML syntax error/);
    });

    it('rejects binary garbage', () => {
      const bytes = Uint8Array.from({ length: 512 }, (_, i) => (i * 7919) % 256);
      assert.match(
        issuesOf(() => loadYamlConfig({ text: bytes, source: 'bin' }, schema))[0] ?? '',
        /^bin: not a text file: NUL byte/,
      );
      const latin1 = Uint8Array.from([0x65, 0x3a, 0x20, 0xff, 0xfe, 0x0a]);
      assert.match(
        issuesOf(() => loadYamlConfig({ text: latin1, source: 'bin' }, schema))[0] ?? '',
        /invalid UTF-8/,
      );
      assert.match(issuesOf(() => load('endpoint: a\u0000b\n'))[0] ?? '', /NUL character/);
    });

    it('stops a billion-laughs alias bomb', () => {
      const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i < 10; i++)
        lines.push(
          `a${i}: &a${i} [${Array(10)
            .fill(`*a${i - 1}`)
            .join(', ')}]`,
        );
      assert.match(issuesOf(() => load(lines.join('\n')))[0] ?? '', /alias/i);
    });
  });

  describe('files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-config-'));

    it('rejects an oversized file before parsing it', () => {
      const p = join(dir, 'big.yaml');
      writeFileSync(p, `endpoint: ${'x'.repeat(2048)}\n`);
      assert.match(
        issuesOf(() => loadYamlConfig(p, schema, { maxBytes: 1024 }))[0] ?? '',
        /too large: limit is 1024 bytes, file has 2059 bytes/,
      );
      assert.match(
        issuesOf(() =>
          loadYamlConfig({ text: 'a'.repeat(1025), source: 'big' }, schema, { maxBytes: 1024 }),
        )[0] ?? '',
        /^big: config file too large/,
      );
    });

    it('uses a 1 MiB limit by default', () => {
      const p = join(dir, 'huge.yaml');
      writeFileSync(p, `# ${'x'.repeat(1024 * 1024)}\n`);
      assert.match(issuesOf(() => loadYamlConfig(p, schema))[0] ?? '', /too large: limit is 1048576 bytes/);
    });

    it('reports a missing file and a directory', () => {
      assert.deepEqual(
        issuesOf(() => loadYamlConfig(join(dir, 'nope.yaml'), schema)),
        [`${join(dir, 'nope.yaml')}: cannot read config: no such file`],
      );
      assert.match(issuesOf(() => loadYamlConfig(dir, schema))[0] ?? '', /is a directory/);
    });

    it('reads at most the limit from a device that reports size 0', () => {
      assert.match(
        issuesOf(() => loadYamlConfig('/dev/zero', schema, { maxBytes: 64 }))[0] ?? '',
        /too large|NUL/,
      );
    });

    it('names the file in errors', () => {
      const p = join(dir, 'bad.yaml');
      writeFileSync(p, 'endpoint: x\nport: "x"\n');
      assert.deepEqual(
        issuesOf(() => loadYamlConfig(p, schema, { env: {} })),
        [`${p}:2:7: port: expected number, received string`],
      );
    });
  });
});
