import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { AgentConfigError } from '../../config/errors.ts';
import { DEFAULT_ACK_TIMEOUT_MS, forwardOutputConfig } from './config.ts';
import { loadOutput } from './test-helpers.ts';

const UPSTREAM = `[UPSTREAM]
    name  collectors
[NODE]
    name  a
    host  10.0.0.1
    port  24224
[NODE]
    name  b
    host  collector-b
    port  24225
    tls   on
    shared_key node-key
    require_ack_response off
`;

function refused(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof AgentConfigError, String(error));
    return error.issues.map((i) => `${(i.file.split('/').pop() ?? '') + ':' + String(i.line)}: ${i.message}`);
  }
  assert.fail('expected the config to be refused');
}

describe('forwardOutputConfig', () => {
  it("applies Fluent Bit's defaults", () => {
    const { instance, config } = loadOutput('');
    const c = forwardOutputConfig(instance, config.file);
    assert.equal(c.upstreamName, undefined);
    assert.equal(c.workers, 2);
    assert.equal(c.connectTimeoutMs, 10_000);
    assert.equal(c.ackTimeoutMs, DEFAULT_ACK_TIMEOUT_MS);
    assert.equal(c.keepalive, true);
    assert.equal(c.keepaliveIdleTimeoutMs, 30_000);
    assert.equal(c.keepaliveMaxRecycle, 2000);
    assert.equal(c.nodes.length, 1);
    const node = c.nodes[0];
    assert.ok(node);
    assert.equal(node.name, '127.0.0.1:24224');
    assert.deepEqual([node.host, node.port, node.unixPath], ['127.0.0.1', 24224, undefined]);
    assert.deepEqual(node.settings, {
      sharedKey: undefined,
      emptySharedKey: false,
      selfHostname: 'localhost',
      username: undefined,
      password: undefined,
      timeAsInteger: false,
      sendOptions: false,
      requireAck: false,
      compress: false,
      tag: undefined,
    });
    assert.deepEqual(node.tls, {
      enabled: false,
      verify: true,
      caFile: undefined,
      caPath: undefined,
      crtFile: undefined,
      keyFile: undefined,
      keyPasswd: undefined,
      vhost: undefined,
    });
  });

  it('reads the keys of a single server', () => {
    const { instance, config } = loadOutput(
      [
        '    Host collector',
        '    Port 24300',
        '    Shared_Key s3cret',
        '    Self_Hostname agent-7',
        '    Username agent',
        '    Password pw',
        '    Require_ack_response on',
        '    Compress gzip',
        '    Tag all',
        '    Workers 0',
        '    tls on',
        '    tls.verify off',
        '    tls.vhost collector.example',
        '    net.connect_timeout 2',
        '    net.keepalive off',
        '',
      ].join('\n'),
    );
    const c = forwardOutputConfig(instance, config.file);
    const node = c.nodes[0];
    assert.ok(node);
    assert.equal(node.name, 'collector:24300');
    assert.equal(c.workers, 1, 'Workers 0 still flushes, one at a time');
    assert.equal(c.connectTimeoutMs, 2000);
    assert.equal(c.keepalive, false);
    assert.equal(node.settings.sharedKey, 's3cret');
    assert.equal(node.settings.selfHostname, 'agent-7');
    assert.equal(node.settings.requireAck, true);
    assert.equal(node.settings.compress, true);
    assert.equal(node.settings.tag, 'all');
    assert.equal(node.tls.enabled, true);
    assert.equal(node.tls.verify, false);
    assert.equal(node.tls.vhost, 'collector.example');
  });

  it('names a Unix socket node by its path', () => {
    const { instance, config } = loadOutput('    Unix_Path /run/fluent.sock\n');
    const node = forwardOutputConfig(instance, config.file).nodes[0];
    assert.equal(node?.name, '/run/fluent.sock');
    assert.equal(node?.unixPath, '/run/fluent.sock');
  });

  it("resolves a relative Upstream against the main file's folder; nodes override the output's keys", () => {
    const { instance, config } = loadOutput(
      '    Upstream upstream.conf\n    Shared_Key out-key\n    Require_ack_response on\n    tls.verify off\n',
      { 'upstream.conf': UPSTREAM },
    );
    const c = forwardOutputConfig(instance, config.file);
    assert.equal(c.upstreamName, 'collectors');
    const [a, b] = c.nodes;
    assert.ok(a && b);
    assert.equal(a.file, join(dirname(config.file), 'upstream.conf'));
    assert.deepEqual([a.name, a.host, a.port, a.line], ['a', '10.0.0.1', 24224, 3]);
    assert.deepEqual([b.name, b.host, b.port, b.line], ['b', 'collector-b', 24225, 7]);
    assert.equal(a.settings.sharedKey, 'out-key');
    assert.equal(a.settings.requireAck, true);
    assert.equal(a.tls.enabled, false);
    assert.equal(b.settings.sharedKey, 'node-key');
    assert.equal(b.settings.requireAck, false);
    assert.equal(b.tls.enabled, true);
    assert.equal(b.tls.verify, false, "the output's tls.verify applies to nodes that do not set it");
  });

  it('passes Upstream file errors on with the file and line', () => {
    const { instance, config } = loadOutput('    Upstream up.conf\n', {
      'up.conf': '[UPSTREAM]\n    name u\n[NODE]\n    name n\n    host h\n    port x\n',
    });
    assert.deepEqual(
      refused(() => forwardOutputConfig(instance, config.file)),
      ['up.conf:6: `port`: expected a whole number in 1..65535, got `x`'],
    );
    const missing = loadOutput('    Upstream nowhere.conf\n');
    assert.deepEqual(
      refused(() => forwardOutputConfig(missing.instance, missing.config.file)),
      ['nowhere.conf:undefined: upstream file: no such file'],
    );
  });

  it('refuses combinations Fluent Bit refuses or would ignore', () => {
    const both = loadOutput(
      '    Compress gzip\n    Time_as_Integer on\n    Tag $kubernetes\n    Username u\n',
    );
    assert.deepEqual(
      refused(() => forwardOutputConfig(both.instance, both.config.file)),
      [
        'fluent-bit.conf:4: `Compress gzip` cannot be used with `Time_as_Integer on` (as in Fluent Bit: old Fluentd reads neither)',
        'fluent-bit.conf:6: `Tag` with record accessor (`$key`) is not supported: per-record tags need Message mode',
        'fluent-bit.conf:7: `Username`/`Password` are sent in the shared-key handshake: set `Shared_Key` (or `Empty_Shared_Key on`)',
      ],
    );
    const unix = loadOutput('    Unix_Path /s.sock\n    Upstream up.conf\n    tls on\n');
    assert.deepEqual(
      refused(() => forwardOutputConfig(unix.instance, unix.config.file)),
      [
        'fluent-bit.conf:4: `Unix_Path` and `Upstream` cannot be used together: Upstream names the servers',
        'fluent-bit.conf:6: `tls` cannot be used with `Unix_Path`: a Unix socket connection is never TLS',
        'up.conf:undefined: upstream file: no such file',
      ],
    );
    const node = loadOutput('    Upstream up.conf\n    Time_as_Integer on\n', {
      'up.conf': '[UPSTREAM]\n    name u\n[NODE]\n    name n\n    host h\n    port 1\n    compress gzip\n',
    });
    assert.deepEqual(
      refused(() => forwardOutputConfig(node.instance, node.config.file)),
      [
        'up.conf:3: [NODE] n: `Compress gzip` cannot be used with `Time_as_Integer on` (as in Fluent Bit: old Fluentd reads neither)',
      ],
    );
  });
});
