import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { FrameSplitter, decodeFrame } from '../../../common/forward/index.ts';
import { silentLogger } from '../../../common/log/logger.ts';
import type { FlushResult } from '../../engine/types.ts';
import { forwardOutputConfig } from './config.ts';
import { ForwardOutput, createForwardOutput } from './output.ts';
import type { CapturedLog, Harness } from './test-helpers.ts';
import { captureLogger, chunk, deferred, events, freePort, loadOutput, startServer } from './test-helpers.ts';
import type { ForwardOutputConfig } from './types.ts';
import { selfSignedCertificate } from '../../../test/support/tls.ts';
import type { Certificate } from '../../../test/support/tls.ts';

interface Started {
  out: ForwardOutput;
  logs: CapturedLog[];
}

/** A started output for the `[OUTPUT]` body given; stopped when the test ends. */
async function output(
  t: TestContext,
  body: string,
  overrides: Partial<ForwardOutputConfig> = {},
  files: Readonly<Record<string, string>> = {},
): Promise<Started> {
  const { instance, config } = loadOutput(body, files);
  const logs: CapturedLog[] = [];
  const out = new ForwardOutput(
    { ...forwardOutputConfig(instance, config.file), ...overrides },
    captureLogger(logs),
  );
  await out.start();
  t.after(() => out.stop());
  return { out, logs };
}

async function server(t: TestContext, ...args: Parameters<typeof startServer>): Promise<Harness> {
  const h = await startServer(...args);
  t.after(() => h.close());
  return h;
}

const at = (port: number, more = ''): string => `    Host 127.0.0.1\n    Port ${port}\n${more}`;

/** Polls until `condition` holds; the test's own timeout bounds it. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

function tracked(p: Promise<FlushResult>): { settled: () => boolean; result: Promise<FlushResult> } {
  let done = false;
  const result = p.finally(() => {
    done = true;
  });
  return { settled: () => done, result };
}

describe('forward output', () => {
  it('delivers records with their tag, nanosecond time and record intact', async (t) => {
    const h = await server(t);
    const { out } = await output(t, at(h.port));
    const evs = events(3);
    evs.push({ sec: 1, nsec: 999_999_999, record: { unicode: 'é✓', n: null, list: [1, { a: 'b' }] } });
    assert.equal(await out.flush(chunk('kube.app', evs)), 'ok');
    await until(() => h.frames.length === 1);
    assert.equal(h.frames[0]?.frame.mode, 'PackedForward');
    assert.deepEqual(h.frames[0]?.frame.options, {}, 'no options map without Send_options');
    assert.deepEqual(
      h.received(),
      evs.map((e) => ({ tag: 'kube.app', sec: e.sec, nsec: e.nsec, record: e.record })),
    );
  });

  it('keeps one connection across flushes and sends Tag and options when set', async (t) => {
    const h = await server(t);
    const { out } = await output(t, at(h.port, '    Tag renamed\n    Send_options on\n'));
    for (let i = 0; i < 5; i++) assert.equal(await out.flush(chunk('orig', events(2, i * 2))), 'ok');
    await until(() => h.frames.length === 5);
    assert.equal(h.server.stats().connectionsAccepted, 1);
    assert.deepEqual(
      h.frames.map(({ frame }) => [frame.tag, frame.options]),
      Array.from({ length: 5 }, () => ['renamed', { size: 2 }]),
    );
    assert.deepEqual(
      h.received().map((r) => r.record['i']),
      [...Array(10).keys()],
    );
  });

  it('answers ok for an empty chunk without connecting', async (t) => {
    const h = await server(t);
    const { out } = await output(t, at(h.port));
    assert.equal(await out.flush(chunk('t', [])), 'ok');
    assert.equal(h.server.stats().connectionsAccepted, 0);
  });

  it('with Require_ack_response, resolves only once the server acked', async (t) => {
    const gate = deferred();
    const h = await server(t, {}, () => gate.promise);
    const { out } = await output(t, at(h.port, '    Require_ack_response on\n'));
    const flush = tracked(out.flush(chunk('acked', events(4))));
    await until(() => h.frames.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(flush.settled(), false, 'flush must wait for the ack');
    assert.equal(h.server.stats().acks, 0);
    gate.resolve();
    assert.equal(await flush.result, 'ok');
    assert.equal(h.server.stats().acks, 1);
    const frame = h.frames[0]?.frame;
    assert.equal(typeof frame?.chunk, 'string');
    assert.deepEqual(frame?.options, { size: 4, chunk: frame?.chunk });
  });

  it('answers retry when the ack does not come in time, then recovers on a new connection', async (t) => {
    let hold = true;
    const h = await server(t, {}, () => (hold ? new Promise<void>(() => {}) : Promise.resolve()));
    const { out, logs } = await output(t, at(h.port, '    Require_ack_response on\n'), { ackTimeoutMs: 150 });
    assert.equal(await out.flush(chunk('t', events(1))), 'retry');
    assert.ok(logs.some((l) => l.level === 'warn' && l.fields?.['kind'] === 'timeout'));
    hold = false;
    assert.equal(await out.flush(chunk('t', events(1))), 'ok');
    assert.equal(h.server.stats().connectionsAccepted, 2);
  });

  it('answers retry at once when the server drops the frame unacked', async (t) => {
    const h = await server(t, {}, () => Promise.reject(new Error('disk full')));
    const { out } = await output(t, at(h.port, '    Require_ack_response on\n'));
    const started = Date.now();
    assert.equal(await out.flush(chunk('t', events(1))), 'retry');
    assert.ok(Date.now() - started < 5000);
  });

  it('sends CompressedPackedForward with Compress gzip', async (t) => {
    const h = await server(t);
    const { out } = await output(t, at(h.port, '    Compress gzip\n    Require_ack_response on\n'));
    const evs = events(100);
    assert.equal(await out.flush(chunk('zipped', evs)), 'ok');
    const frame = h.frames[0]?.frame;
    assert.equal(frame?.mode, 'CompressedPackedForward');
    assert.equal(frame?.options.compressed, 'gzip');
    assert.equal(frame?.options.size, 100);
    assert.deepEqual(
      h.received().map((r) => [r.sec, r.nsec, r.record]),
      evs.map((e) => [e.sec, e.nsec, e.record]),
    );
  });

  describe('shared-key handshake', () => {
    const users = [{ username: 'agent', password: 'pw' }];

    it('authenticates with Shared_Key, Username and Password', async (t) => {
      const h = await server(t, { sharedKey: 'k3y', users });
      const { out } = await output(
        t,
        at(
          h.port,
          '    Shared_Key k3y\n    Self_Hostname agent-1\n    Username agent\n    Password pw\n    Require_ack_response on\n',
        ),
      );
      assert.equal(await out.flush(chunk('secure', events(2))), 'ok');
      assert.equal(await out.flush(chunk('secure', events(2))), 'ok');
      assert.equal(h.frames[0]?.source.hostname, 'agent-1');
      assert.equal(h.frames[0]?.source.username, 'agent');
      assert.equal(h.server.stats().handshakesSucceeded, 1, 'one handshake per connection');
      assert.equal(h.received().length, 4);
    });

    it('answers retry, without throwing, for a wrong key or password', async (t) => {
      const h = await server(t, { sharedKey: 'right', users });
      const wrongKey = await output(
        t,
        at(h.port, '    Shared_Key wrong\n    Username agent\n    Password pw\n'),
      );
      assert.equal(await wrongKey.out.flush(chunk('t', events(1))), 'retry');
      const warning = wrongKey.logs.find((l) => l.level === 'warn');
      assert.equal(warning?.fields?.['kind'], 'handshake');
      assert.match(String(warning?.fields?.['error']), /shared_key mismatch/);
      const wrongPassword = await output(
        t,
        at(h.port, '    Shared_Key right\n    Username agent\n    Password no\n'),
      );
      assert.equal(await wrongPassword.out.flush(chunk('t', events(1))), 'retry');
      assert.equal(h.frames.length, 0);
      assert.equal(h.server.stats().handshakesFailed, 2);
    });

    it('says Shared_Key is missing when the server sends a HELO', async (t) => {
      const h = await server(t, { sharedKey: 'k' });
      const { out, logs } = await output(t, at(h.port, '    Require_ack_response on\n'));
      assert.equal(await out.flush(chunk('t', events(1))), 'retry');
      assert.match(String(logs.find((l) => l.level === 'warn')?.fields?.['error']), /set Shared_Key/);
    });

    it('times out a server that never says HELO within net.connect_timeout', async (t) => {
      const silent = createServer(() => {});
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const sockets: Socket[] = [];
      silent.on('connection', (s) => sockets.push(s));
      t.after(() => {
        for (const s of sockets) s.destroy();
        return new Promise<void>((resolve) => silent.close(() => resolve()));
      });
      const port = (silent.address() as { port: number }).port;
      const { out, logs } = await output(t, at(port, '    Shared_Key k\n'), { connectTimeoutMs: 150 });
      assert.equal(await out.flush(chunk('t', events(1))), 'retry');
      assert.match(String(logs.find((l) => l.level === 'warn')?.fields?.['error']), /no HELO/);
    });
  });

  describe('over TLS', () => {
    let cert: Certificate;
    before(() => {
      cert = selfSignedCertificate();
    });
    after(() => rmSync(cert.dir, { recursive: true, force: true }));

    it('verifies a self-signed certificate against tls.ca_file', async (t) => {
      const h = await server(t, { tls: { key: cert.key, cert: cert.cert }, sharedKey: 'k' });
      const { out } = await output(
        t,
        at(
          h.port,
          `    tls on\n    tls.ca_file ${cert.certFile}\n    Shared_Key k\n    Require_ack_response on\n`,
        ),
      );
      assert.equal(await out.flush(chunk('tls', events(3))), 'ok');
      assert.equal(h.frames[0]?.source.tls, true);
      assert.equal(h.received().length, 3);
    });

    it('refuses an unknown certificate with tls.verify on, accepts it with tls.verify off', async (t) => {
      const h = await server(t, { tls: { key: cert.key, cert: cert.cert } });
      const verified = await output(t, at(h.port, '    tls on\n'));
      assert.equal(await verified.out.flush(chunk('t', events(1))), 'retry');
      assert.match(String(verified.logs.find((l) => l.level === 'warn')?.fields?.['error']), /certificate/);
      const unverified = await output(
        t,
        at(h.port, '    tls on\n    tls.verify off\n    Require_ack_response on\n'),
      );
      assert.equal(await unverified.out.flush(chunk('t', events(1))), 'ok');
    });

    it('checks the name in the certificate against tls.vhost', async (t) => {
      const h = await server(t, { tls: { key: cert.key, cert: cert.cert } });
      const right = await output(
        t,
        at(h.port, `    tls on\n    tls.ca_file ${cert.certFile}\n    tls.vhost localhost\n`),
      );
      assert.equal(await right.out.flush(chunk('t', events(1))), 'ok');
      const wrong = await output(
        t,
        at(h.port, `    tls on\n    tls.ca_file ${cert.certFile}\n    tls.vhost elsewhere.example\n`),
      );
      assert.equal(await wrong.out.flush(chunk('t', events(1))), 'retry');
    });

    it('refuses to start with a TLS file it cannot read', () => {
      const { instance, config } = loadOutput('    tls on\n    tls.ca_file /nonexistent/ca.pem\n');
      assert.throws(
        () => new ForwardOutput(forwardOutputConfig(instance, config.file), silentLogger),
        /fluent-bit\.conf:1: 127\.0\.0\.1:24224: `tls\.ca_file` \/nonexistent\/ca\.pem: cannot read/,
      );
    });
  });

  describe('Upstream', () => {
    const upstream = (a: number, b: number): string =>
      `[UPSTREAM]\n    name pair\n[NODE]\n    name a\n    host 127.0.0.1\n    port ${a}\n` +
      `[NODE]\n    name b\n    host 127.0.0.1\n    port ${b}\n`;

    it('balances flushes round robin over the nodes', async (t) => {
      const a = await server(t);
      const b = await server(t);
      const { out } = await output(
        t,
        '    Upstream up.conf\n    Require_ack_response on\n',
        {},
        {
          'up.conf': upstream(a.port, b.port),
        },
      );
      for (let i = 0; i < 4; i++) assert.equal(await out.flush(chunk('rr', events(1, i))), 'ok');
      assert.deepEqual(
        a.received().map((r) => r.record['i']),
        [0, 2],
      );
      assert.deepEqual(
        b.received().map((r) => r.record['i']),
        [1, 3],
      );
    });

    it('fails over to the next node, skips the failed one, and takes it back once it is up', async (t) => {
      const a = await server(t);
      const downPort = await freePort();
      const { out, logs } = await output(
        t,
        '    Upstream up.conf\n    Require_ack_response on\n',
        { nodeRetryBaseMs: 100, nodeRetryMaxMs: 100 },
        { 'up.conf': upstream(a.port, downPort) },
      );
      for (let i = 0; i < 4; i++) assert.equal(await out.flush(chunk('fo', events(1, i))), 'ok');
      assert.deepEqual(
        a.received().map((r) => r.record['i']),
        [0, 1, 2, 3],
      );
      const failures = logs.filter((l) => l.level === 'warn');
      assert.equal(failures.length, 1, 'the failed node is skipped, not tried on every flush');
      assert.equal(failures[0]?.fields?.['node'], 'b');
      assert.equal(failures[0]?.fields?.['kind'], 'connect');

      const b = await server(t, { port: downPort });
      await new Promise((resolve) => setTimeout(resolve, 120));
      for (let i = 4; i < 8; i++) assert.equal(await out.flush(chunk('fo', events(1, i))), 'ok');
      assert.deepEqual(b.received().map((r) => r.record['i']).length, 2);
      assert.ok(logs.some((l) => l.message === 'forward node is back' && l.fields?.['node'] === 'b'));
    });

    it('answers retry when every node is down', async (t) => {
      const { out } = await output(
        t,
        '    Upstream up.conf\n',
        {},
        {
          'up.conf': upstream(await freePort(), await freePort()),
        },
      );
      assert.equal(await out.flush(chunk('t', events(1))), 'retry');
      assert.equal(await out.flush(chunk('t', events(1))), 'retry');
    });
  });

  it('answers retry when the server is down, and delivers once it is back', async (t) => {
    const port = await freePort();
    const { out } = await output(t, at(port, '    Require_ack_response on\n'));
    assert.equal(await out.flush(chunk('t', events(1))), 'retry');
    const h = await server(t, { port });
    assert.equal(await out.flush(chunk('t', events(1))), 'ok');
    assert.equal(h.received().length, 1);
  });

  it('reconnects after the server restarted', async (t) => {
    const first = await startServer();
    const port = first.port;
    const { out } = await output(t, at(port));
    assert.equal(await out.flush(chunk('t', events(1, 0))), 'ok');
    await until(() => first.frames.length === 1);
    await first.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await server(t, { port });
    assert.equal(await out.flush(chunk('t', events(1, 1))), 'ok');
    await until(() => second.frames.length === 1);
    assert.deepEqual(
      second.received().map((r) => r.record['i']),
      [1],
    );
  });

  it('uses one connection per worker when flushes run at once', async (t) => {
    const gate = deferred();
    const h = await server(t, {}, () => gate.promise);
    const { out } = await output(t, at(h.port, '    Require_ack_response on\n    Workers 2\n'));
    const flushes = [out.flush(chunk('w', events(1, 0))), out.flush(chunk('w', events(1, 1)))];
    await until(() => h.frames.length === 2);
    assert.equal(h.server.stats().connectionsAccepted, 2);
    gate.resolve();
    assert.deepEqual(await Promise.all(flushes), ['ok', 'ok']);
    // A third flush waits for a free worker rather than opening a third connection.
    const more = [0, 1, 2].map((i) => out.flush(chunk('w', events(1, 2 + i))));
    assert.deepEqual(await Promise.all(more), ['ok', 'ok', 'ok']);
    assert.equal(h.server.stats().connectionsAccepted, 2);
  });

  it('closes the connection after each flush with net.keepalive off', async (t) => {
    const h = await server(t);
    const { out } = await output(t, at(h.port, '    net.keepalive off\n    Require_ack_response on\n'));
    for (let i = 0; i < 3; i++) assert.equal(await out.flush(chunk('t', events(1))), 'ok');
    assert.equal(h.server.stats().connectionsAccepted, 3);
    await until(() => h.server.stats().connectionsActive === 0);
  });

  it('closes its connections on stop', async (t) => {
    const h = await server(t);
    const { out } = await output(t, at(h.port, '    Require_ack_response on\n'));
    assert.equal(await out.flush(chunk('t', events(1))), 'ok');
    assert.equal(h.server.stats().connectionsActive, 1);
    await out.stop();
    await until(() => h.server.stats().connectionsActive === 0);
    assert.equal(await out.flush(chunk('t', events(1))), 'retry');
  });

  it('sends to a Unix socket with Unix_Path', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'forward-out-unix-'));
    const path = join(dir, 'fluent.sock');
    const frames: Uint8Array[] = [];
    const unix = createServer((socket) => {
      const splitter = new FrameSplitter();
      socket.on('data', (data: Buffer) => frames.push(...splitter.push(data)));
    });
    await new Promise<void>((resolve) => unix.listen(path, resolve));
    t.after(async () => {
      await new Promise<void>((resolve) => unix.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    });
    const { out } = await output(t, `    Unix_Path ${path}\n`);
    assert.equal(await out.flush(chunk('unix', events(2))), 'ok');
    await out.stop();
    await until(() => frames.length === 1);
    const frame = decodeFrame(frames[0] ?? new Uint8Array(0));
    assert.equal(frame.tag, 'unix');
    assert.equal(frame.entryCount, 2);
  });

  it('is made by createForwardOutput from a loaded config', async (t) => {
    const h = await server(t);
    const { instance, config } = loadOutput(at(h.port, '    Require_ack_response on\n'));
    const plugin = createForwardOutput(instance, { logger: silentLogger, config });
    await plugin.start();
    t.after(() => plugin.stop());
    assert.equal(await plugin.flush(chunk('factory', events(2))), 'ok');
    assert.equal(h.received().length, 2);
  });
});
