import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AgentConfigError } from '../../config/errors.ts';
import { NodeRotation, parseUpstream, readUpstreamFile } from './upstream.ts';

const GOOD = `# Fluent Bit's documented example
[UPSTREAM]
    name       forward-balancing

[NODE]
    name       node-1
    host       127.0.0.1
    port       43000

[NODE]
    name       node-2
    host       127.0.0.1
    port       44000

[NODE]
    name       node-3
    host       127.0.0.1
    port       45000
    tls        on
    tls.verify off
    shared_key secret
`;

/** The issues of a parse that must fail, as `line: message`. */
function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseUpstream(text, 'up.conf', env);
  } catch (error) {
    assert.ok(error instanceof AgentConfigError, String(error));
    for (const issue of error.issues) assert.equal(issue.file, 'up.conf');
    return error.issues.map((i) => `${i.line ?? '-'}: ${i.message}`);
  }
  assert.fail('expected the upstream file to be refused');
}

describe('parseUpstream', () => {
  it("reads Fluent Bit's documented example", () => {
    const up = parseUpstream(GOOD, 'up.conf', {});
    assert.equal(up.name, 'forward-balancing');
    assert.deepEqual(
      up.nodes.map((n) => [n.name, n.host, n.port, n.line]),
      [
        ['node-1', '127.0.0.1', 43000, 5],
        ['node-2', '127.0.0.1', 44000, 10],
        ['node-3', '127.0.0.1', 45000, 15],
      ],
    );
    assert.deepEqual(up.nodes[0]?.tls, {});
    assert.deepEqual(up.nodes[2]?.tls, { enabled: true, verify: false });
    assert.deepEqual(up.nodes[2]?.settings, { sharedKey: 'secret' });
  });

  it('types every per-node key, case-insensitively, with CRLF line ends and ${VAR}', () => {
    const text = [
      '[upstream]',
      '  Name  up',
      '[Node]',
      '  NAME  n',
      '  Host  ${HOST}',
      '  Port  ${PORT:-24224}',
      '  tls.ca_file /ca.pem',
      '  tls.ca_path /cas',
      '  tls.crt_file /c.pem',
      '  tls.key_file /k.pem',
      '  tls.key_passwd pw',
      '  tls.vhost collector.local',
      '  tls.debug 2',
      '  Empty_Shared_Key on',
      '  Self_Hostname agent-1',
      '  Username u',
      '  Password p',
      '  Time_as_Integer yes',
      '  Send_options true',
      '  Require_ack_response on',
      '  Compress text',
      '  Tag other',
      '',
    ].join('\r\n');
    const up = parseUpstream(text, 'up.conf', { HOST: 'collector' });
    const node = up.nodes[0];
    assert.ok(node);
    assert.equal(node.host, 'collector');
    assert.equal(node.port, 24224);
    assert.deepEqual(node.tls, {
      caFile: '/ca.pem',
      caPath: '/cas',
      crtFile: '/c.pem',
      keyFile: '/k.pem',
      keyPasswd: 'pw',
      vhost: 'collector.local',
    });
    assert.deepEqual(node.settings, {
      emptySharedKey: true,
      selfHostname: 'agent-1',
      username: 'u',
      password: 'p',
      timeAsInteger: true,
      sendOptions: true,
      requireAck: true,
      compress: false,
      tag: 'other',
    });
  });

  it('reports every problem with its line', () => {
    const text = [
      '[UPSTREAM]', // 1
      '    name up', // 2
      '    balance round_robin', // 3
      '[NODE]', // 4
      '    name a', // 5
      '    host h', // 6
      '    port 99999', // 7
      '    tls maybe', // 8
      '    sharedkey x', // 9
      '    compress zstd', // 10
      '    host again', // 11
      'port 1', // 12
      '    tag', // 13
      '[NODE', // 14
      '    name ignored', // 15
      '[SERVER]', // 16
      '    host ignored', // 17
      '@INCLUDE more.conf', // 18
      '  [NODE]', // 19
      '[NODE]', // 20
      '    name b', // 21
    ].join('\n');
    assert.deepEqual(problems(text), [
      '3: unknown key `balance` in [UPSTREAM]: it takes only `name`',
      '7: `port`: expected a whole number in 1..65535, got `99999`',
      '8: `tls`: expected on/off, got `maybe`',
      '9: unknown key `sharedkey` in [NODE] #1, did you mean `shared_key`?',
      '10: `compress`: expected gzip or text, got `zstd`',
      '11: `host` is given twice in this section (first on line 6)',
      '12: key `port` is not indented: entries of a section must be indented',
      '13: key `tag` has no value: write `tag VALUE`',
      '14: bad section header `[NODE`: missing the closing `]`',
      '16: unknown section [SERVER] in an upstream file (sections: UPSTREAM, NODE)',
      '18: `@INCLUDE` is not supported in upstream files',
      '19: section header `[NODE]` must start at the beginning of the line',
      '20: [NODE] #2 has no `host`',
      '20: [NODE] #2 has no `port`',
    ]);
  });

  it('refuses files without an [UPSTREAM], its name, or nodes', () => {
    assert.deepEqual(problems(''), [
      '-: no [UPSTREAM] section: an upstream file starts with [UPSTREAM] and its name',
    ]);
    // Sorted by line; problems with the whole file first.
    assert.deepEqual(problems('[UPSTREAM]\n'), [
      '-: no [NODE] sections: an upstream needs at least one node',
      '1: [UPSTREAM] has no `name`',
    ]);
    assert.deepEqual(problems('[UPSTREAM]\n    name a\n[UPSTREAM]\n    name b\n[NODE]\n    name n\n'), [
      '3: second [UPSTREAM] section (first on line 1): one upstream per file',
      '5: [NODE] #1 has no `host`',
      '5: [NODE] #1 has no `port`',
    ]);
    assert.deepEqual(
      problems('    name x\n[UPSTREAM]\n    name u\n[NODE]\n    name n\n    host h\n    port 1\n'),
      ['1: `name` is outside any section: an upstream file starts with [UPSTREAM]'],
    );
    assert.deepEqual(problems('[UPSTREAM]\n    name ${NOPE}\n[NODE]\n    name n\n    host h\n    port 1\n'), [
      '1: [UPSTREAM] has no `name`',
      '2: `name`: environment variable `NOPE` is not set (write `${NOPE:-default}` to give a default)',
    ]);
  });

  it('never throws anything but AgentConfigError on a truncated file', () => {
    for (let cut = 0; cut < GOOD.length; cut++) {
      const text = GOOD.slice(0, cut);
      try {
        const up = parseUpstream(text, 'up.conf', {});
        // Only a cut that leaves whole nodes behind can parse.
        assert.ok(up.nodes.length >= 1);
        for (const node of up.nodes) assert.ok(node.port >= 1);
      } catch (error) {
        assert.ok(error instanceof AgentConfigError, `cut at ${cut}: ${String(error)}`);
        assert.ok(error.issues.length > 0);
      }
    }
  });

  it('never throws anything but AgentConfigError on random bytes', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const alphabet = '[]@#$ {}\t\r\nUPSTREAMNODEnamehostport:-0123456789';
    for (let round = 0; round < 500; round++) {
      let text = '';
      const length = Math.floor(random() * 200);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)] ?? '';
      try {
        parseUpstream(text, 'up.conf', {});
      } catch (error) {
        assert.ok(error instanceof AgentConfigError, `${JSON.stringify(text)}: ${String(error)}`);
      }
    }
  });
});

describe('readUpstreamFile', () => {
  it('reads a file and names it in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'forward-upstream-'));
    const good = join(dir, 'good.conf');
    writeFileSync(good, GOOD);
    assert.equal(readUpstreamFile(good, {}).nodes.length, 3);
    const bad = join(dir, 'bad.conf');
    writeFileSync(bad, '[UPSTREAM]\n    name u\n[NODE]\n    name n\n    host h\n');
    assert.throws(
      () => readUpstreamFile(bad, {}),
      (error: unknown) =>
        error instanceof AgentConfigError && error.message.includes(`${bad}:3: [NODE] #1 has no \`port\``),
    );
    assert.throws(
      () => readUpstreamFile(join(dir, 'missing.conf'), {}),
      (error: unknown) =>
        error instanceof AgentConfigError &&
        error.message.includes('missing.conf: upstream file: no such file'),
    );
  });
});

describe('NodeRotation', () => {
  function rotation(nodes: string[]): { r: NodeRotation<string>; clock: { now: number } } {
    const clock = { now: 1000 };
    const r = new NodeRotation(nodes, { baseDelayMs: 100, maxDelayMs: 350, now: () => clock.now });
    return { r, clock };
  }

  it('goes round robin', () => {
    const { r } = rotation(['a', 'b', 'c']);
    assert.deepEqual([r.pick(), r.pick(), r.pick(), r.pick()], ['a', 'b', 'c', 'a']);
  });

  it('skips a failed node until its delay is over, doubling the delay up to the maximum', () => {
    const { r, clock } = rotation(['a', 'b']);
    assert.equal(r.pick(), 'a');
    assert.equal(r.failed('a'), 100);
    assert.equal(r.isUp('a'), false);
    assert.deepEqual([r.pick(), r.pick()], ['b', 'b']);
    clock.now += 100;
    assert.equal(r.isUp('a'), true);
    assert.equal(r.pick(), 'a');
    assert.equal(r.failed('a'), 200);
    assert.equal(r.failed('a'), 350);
    assert.equal(r.failed('a'), 350);
    assert.equal(r.succeeded('a'), 4);
    assert.equal(r.succeeded('a'), 0);
    assert.deepEqual([r.pick(), r.pick()], ['b', 'a']);
  });

  it('fails over to another node than the one excluded', () => {
    const { r } = rotation(['a', 'b', 'c']);
    assert.equal(r.pick(), 'a');
    r.failed('a');
    assert.equal(r.pick('a'), 'b');
    assert.equal(r.pick(), 'c');
    assert.equal(r.pick(), 'b');
  });

  it('when every node is down, offers the one due back first; a lone node is always offered', () => {
    const { r, clock } = rotation(['a', 'b']);
    r.failed('b');
    clock.now += 10;
    r.failed('a');
    assert.equal(r.pick(), 'b');
    assert.equal(r.pick('b'), 'a');
    const lone = rotation(['x']).r;
    lone.failed('x');
    assert.equal(lone.pick(), 'x');
    assert.equal(lone.pick('x'), undefined);
  });
});
