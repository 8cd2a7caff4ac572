import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ForwardSinkServer, waitFor } from '../test-support/sinks.ts';
import { createClock } from './clock.ts';
import { ForwardSink, type ForwardSinkOptions } from './forward-sink.ts';

const clock = createClock();

function sinkTo(port: number, overrides: Partial<ForwardSinkOptions> = {}): ForwardSink {
  return new ForwardSink({
    host: '127.0.0.1',
    port,
    tag: 'svc',
    bufferLimit: 10_000,
    ackTimeoutMs: 5000,
    reconnectInitialMs: 20,
    reconnectMaxMs: 200,
    flushIntervalMs: 5,
    ...overrides,
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function seqs(agent: ForwardSinkServer): Set<number> {
  return new Set(agent.records.map((r) => r.record['seq'] as number));
}

test('ships records over Forward with EventTime and <tag>.<kind> tags, acked', async (t) => {
  const agent = await ForwardSinkServer.start();
  t.after(() => agent.stop());
  const sink = sinkTo(agent.port);
  for (let i = 0; i < 500; i++)
    sink.write(i % 10 === 0 ? 'audit' : 'log', clock(), { seq: i, message: `m${i}` });
  assert.equal(await sink.flush(5000), true);
  assert.equal(agent.records.length, 500);
  assert.equal(agent.byTag('svc.audit').length, 50);
  assert.equal(agent.byTag('svc.log').length, 450);
  assert.ok(
    agent.records.some((r) => r.time.nanoseconds % 1_000_000 !== 0),
    'sub-millisecond times',
  );
  const stats = sink.stats();
  assert.deepEqual(
    { written: stats.written, delivered: stats.delivered, dropped: stats.dropped, pending: stats.pending },
    { written: 500, delivered: 500, dropped: 0, pending: 0 },
  );
  assert.equal(await sink.close(1000), true);
});

test('with the agent down the buffer stays bounded, the oldest are dropped and counted, one warning, and the app keeps answering', async (t) => {
  const port = await freePort();
  const warnings: string[] = [];
  const sink = sinkTo(port, { bufferLimit: 1000, warn: (m) => warnings.push(m) });
  t.after(() => sink.close(0));

  const app = createHttpServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => app.close(resolve)));
  const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;

  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const heapBefore = process.memoryUsage().heapUsed;
  let answered = 0;
  let slowest = 0;
  let writing = true;
  const client = (async () => {
    while (writing) {
      const started = performance.now();
      const response = await fetch(url);
      await response.text();
      slowest = Math.max(slowest, performance.now() - started);
      answered++;
    }
  })();
  const total = 200_000;
  for (let i = 0; i < total; i++) {
    sink.write('log', clock(), { seq: i, message: 'while the agent is away', padding: 'x'.repeat(100) });
    if (i % 2000 === 1999) await new Promise((resolve) => setImmediate(resolve));
  }
  await sleep(300); // a few reconnect attempts
  writing = false;
  await client;
  delay.disable();

  const stats = sink.stats();
  assert.ok(stats.pending <= 1000, `pending ${stats.pending}`);
  assert.equal(stats.dropped, total - stats.pending);
  assert.ok(stats.connectionFailures >= 2, 'it kept retrying');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /log buffer full \(1000 records\).*dropping the oldest/);
  assert.ok(answered > 10, `the app answered ${answered} requests meanwhile`);
  assert.ok(slowest < 500, `slowest request ${slowest.toFixed(0)} ms`);
  assert.ok(delay.max / 1e6 < 300, `event loop delay max ${(delay.max / 1e6).toFixed(0)} ms`);
  assert.ok(process.memoryUsage().heapUsed - heapBefore < 64 * 1024 * 1024, 'heap stayed bounded');

  // The agent comes up on that port: what was kept (the newest records) goes out.
  const agent = await ForwardSinkServer.start(port);
  t.after(() => agent.stop());
  assert.equal(await sink.flush(10_000), true);
  const got = [...seqs(agent)].sort((a, b) => a - b);
  assert.equal(got.length, stats.pending);
  assert.equal(got.at(-1), total - 1);
  assert.equal(got[0], total - stats.pending);
});

test('connections cut mid-stream: every record arrives at least once and nothing throws', async (t) => {
  const agent = await ForwardSinkServer.start();
  t.after(() => agent.stop());
  // A proxy that kills each connection after a random 5-60 ms, cutting frames and acks in half.
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    const upstream = connect(agent.port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    client.pipe(upstream).pipe(client);
    setTimeout(
      () => {
        client.destroy();
        upstream.destroy();
      },
      5 + Math.random() * 55,
    );
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => proxy.close(resolve));
  });
  const sink = sinkTo((proxy.address() as AddressInfo).port, {
    bufferLimit: 50_000,
    reconnectInitialMs: 5,
    reconnectMaxMs: 20,
  });
  t.after(() => sink.close(0));
  const total = 20_000;
  for (let i = 0; i < total; i++) {
    sink.write('log', clock(), { seq: i });
    if (i % 500 === 499) await sleep(2);
  }
  await waitFor('every record', () => seqs(agent).size === total || undefined, 60_000);
  assert.equal(seqs(agent).size, total);
  assert.ok(sink.stats().connectionFailures > 0);
  assert.equal(sink.stats().dropped, 0);
  // Resends carry the same event fields, so duplicates are absorbed downstream by event.id.
  assert.ok(agent.records.length >= total);
});

test('an agent that stops acking: after the ack timeout the records go out again on a new connection', async (t) => {
  const agent = await ForwardSinkServer.start();
  t.after(() => agent.stop());
  let release: () => void = () => undefined;
  agent.holdAcks = new Promise<void>((resolve) => (release = resolve));
  const sink = sinkTo(agent.port, { ackTimeoutMs: 200 });
  t.after(() => sink.close(0));
  for (let i = 0; i < 100; i++) sink.write('log', clock(), { seq: i });
  await waitFor('a connection failure', () => sink.stats().connectionFailures > 0 || undefined, 5000);
  assert.match(sink.stats().lastError ?? '', /no ack within 200 ms/);
  assert.equal(sink.stats().pending, 100, 'nothing given up');
  release();
  agent.holdAcks = undefined;
  assert.equal(await sink.flush(5000), true);
  assert.equal(seqs(agent).size, 100);
});

test('an agent restart (graceful close) neither loses records nor stalls the event loop', async (t) => {
  const first = await ForwardSinkServer.start();
  const port = first.port;
  const sink = sinkTo(port);
  t.after(() => sink.close(0));
  for (let i = 0; i < 100; i++) sink.write('log', clock(), { seq: i });
  assert.equal(await sink.flush(5000), true);
  await first.stop();

  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  for (let i = 100; i < 200; i++) sink.write('log', clock(), { seq: i });
  await sleep(200);
  const second = await ForwardSinkServer.start(port);
  t.after(() => second.stop());
  assert.equal(await sink.flush(5000), true);
  delay.disable();
  assert.deepEqual(
    [...seqs(second)].sort((a, b) => a - b),
    Array.from({ length: 100 }, (_, i) => i + 100),
  );
  assert.ok(delay.max / 1e6 < 200, `event loop delay max ${(delay.max / 1e6).toFixed(0)} ms`);
});

test('an agent that stalls and then resets the connection: nothing throws, and it all arrives later in bounded chunks', async (t) => {
  // Stock fluent-logger 3.4.1 crashes the process here: its write callback reads `this._socket`,
  // which the reset has nulled (TypeError from a socket callback). See guardedDoWrite.
  const stalled: Socket[] = [];
  const agent = createServer((socket) => {
    socket.pause(); // never reads: the sender's writes back up
    socket.on('error', () => undefined);
    stalled.push(socket);
  });
  await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
  const port = (agent.address() as AddressInfo).port;
  const sink = sinkTo(port, { bufferLimit: 100_000, ackTimeoutMs: 60_000, maxInflight: 100_000 });
  t.after(() => sink.close(0));
  const big = 'x'.repeat(2000);
  for (let i = 0; i < 20_000; i++) sink.write('log', clock(), { seq: i, big });
  await sleep(1000);
  for (const socket of stalled) socket.resetAndDestroy();
  await new Promise((resolve) => agent.close(resolve));
  const real = await ForwardSinkServer.start(port);
  t.after(() => real.stop());
  assert.equal(await sink.flush(30_000), true);
  assert.equal(seqs(real).size, 20_000);
  // 40 MB of records went out in chunks of about 1 MiB (Fluent Bit refuses more than 6 MB).
  assert.ok(real.largestChunk < 1.1 * 1024 * 1024, `largest chunk ${real.largestChunk} bytes`);
});

test('close: flushes within the deadline, then drops (and counts) later writes', async (t) => {
  const agent = await ForwardSinkServer.start();
  t.after(() => agent.stop());
  const sink = sinkTo(agent.port);
  for (let i = 0; i < 10; i++) sink.write('log', clock(), { seq: i });
  assert.equal(await sink.close(5000), true);
  assert.equal(agent.records.length, 10);
  sink.write('log', clock(), { seq: 10 });
  assert.equal(sink.stats().dropped, 1);
  assert.equal(await sink.flush(10), true);
});

test('a dead agent does not hold the deadline past close(): false, and the rest counted dropped', async () => {
  const sink = sinkTo(await freePort());
  for (let i = 0; i < 10; i++) sink.write('log', clock(), { seq: i });
  const started = performance.now();
  assert.equal(await sink.close(300), false);
  assert.ok(performance.now() - started < 1000);
  assert.equal(sink.stats().dropped, 10);
});
