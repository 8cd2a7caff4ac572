import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TcpInput, tcpEventId } from './input.ts';
import type { TcpBatch, TcpInputOptions, TcpLogEntry } from './input.ts';

async function withInput(
  opts: Partial<TcpInputOptions>,
  body: (ctx: { input: TcpInput; port: number; batches: TcpBatch[]; logs: TcpLogEntry[] }) => Promise<void>,
): Promise<void> {
  const batches: TcpBatch[] = [];
  const logs: TcpLogEntry[] = [];
  const input = new TcpInput({
    listen: '127.0.0.1',
    port: 0,
    onRecords: (b) => batches.push(b),
    log: (e) => logs.push(e),
    ...opts,
  });
  const { port } = await input.start();
  try {
    await body({ input, port, batches, logs });
  } finally {
    await input.stop(100);
  }
}

function client(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const count = (batches: TcpBatch[]): number => batches.reduce((n, b) => n + b.records.length, 0);

describe('TcpInput', () => {
  it('uses Fluent Bit defaults', () => {
    const input = new TcpInput({ onRecords: () => {} });
    assert.equal(input.options.listen, '0.0.0.0');
    assert.equal(input.options.port, 5170);
    assert.equal(input.options.format, 'json');
    assert.equal(input.options.separator, '\n');
    assert.equal(input.options.chunkSize, 32 * 1024);
    assert.equal(input.options.bufferSize, 32 * 1024);
  });

  it('receives 10k objects over 4 connections, batched per read, with unique ids', async () => {
    await withInput({}, async ({ input, port, batches }) => {
      const per = 2500;
      const socks = await Promise.all([0, 1, 2, 3].map(() => client(port)));
      await Promise.all(
        socks.map(
          (s, c) =>
            new Promise<void>((resolve) => {
              let text = '';
              for (let i = 0; i < per; i++) {
                text += JSON.stringify({ c, i, msg: 'hello world' }) + (i % 2 ? '\n' : '');
              }
              // Odd-sized writes: objects straddle reads.
              for (let i = 0; i < text.length; i += 4093) s.write(text.slice(i, i + 4093));
              s.end(resolve);
            }),
        ),
      );
      await until(() => count(batches) === 4 * per, '10k records');
      assert.ok(batches.length < 4 * per, 'batched per read, not per record');
      const seen = new Set<string>();
      const next = [0, 0, 0, 0];
      for (const b of batches) {
        assert.ok(b.receivedAt > 0);
        b.records.forEach((r, i) => {
          const c = r['c'] as number;
          assert.equal(r['i'], next[c], 'order kept per connection');
          next[c] = (next[c] ?? 0) + 1;
          seen.add(tcpEventId(b, i));
        });
      }
      assert.equal(seen.size, 4 * per);
      await until(() => input.metrics().activeConnections === 0, 'closes');
      const m = input.metrics();
      assert.equal(m.connections, 4);
      assert.equal(m.records, 4 * per);
      assert.ok(m.bytes > 4 * per * 20);
      assert.equal(m.errors.invalid, 0);
    });
  });

  it('logs and counts an invalid object; the connection goes on', async () => {
    await withInput({ sourceAddressKey: 'source' }, async ({ input, port, batches, logs }) => {
      const s = await client(port);
      s.write('{"a":1}\n{"b":}\n');
      s.write('{"c":3} [1] {"d":4}');
      await until(() => count(batches) === 3, 'records after the bad one');
      s.end();
      const recs = batches.flatMap((b) => b.records);
      assert.deepEqual(
        recs.map((r) => Object.keys(r)[0]),
        ['a', 'c', 'd'],
      );
      assert.match(String(recs[0]?.['source']), /^tcp:\/\/127\.0\.0\.1:\d+$/);
      assert.deepEqual(
        logs.map((l) => l.kind),
        ['invalid', 'not_object'],
      );
      assert.equal(input.metrics().errors.invalid, 1);
      assert.equal(input.metrics().errors.not_object, 1);
    });
  });

  it('Format none with a custom separator', async () => {
    await withInput({ format: 'none', separator: '\r\n' }, async ({ port, batches }) => {
      const s = await client(port);
      s.write('first line\r\nsec');
      await sleep(20);
      s.write('ond\r\nthird');
      s.end();
      await until(() => count(batches) === 3, '3 lines');
      assert.deepEqual(
        batches.flatMap((b) => b.records),
        [{ log: 'first line' }, { log: 'second' }, { log: 'third' }],
      );
    });
  });

  it('oversized object: skipped, counted, the connection goes on', async () => {
    await withInput({ bufferSize: 1024 }, async ({ input, port, batches }) => {
      const s = await client(port);
      s.write(`{"a":1}${JSON.stringify({ big: 'z'.repeat(100_000) })}{"b":2}`);
      await until(() => count(batches) === 2, 'both small records');
      s.end();
      assert.equal(input.metrics().errors.oversized, 1);
    });
  });

  it('pause() stops reading all sockets, resume() continues', async () => {
    await withInput({}, async ({ input, port, batches }) => {
      const a = await client(port);
      a.write('{"n":1}');
      await until(() => count(batches) === 1, 'first record');
      input.pause();
      assert.equal(input.isPaused, true);
      const b = await client(port); // accepted while paused: starts paused
      a.write('{"n":2}');
      b.write('{"n":3}');
      await sleep(100);
      assert.equal(count(batches), 1, 'nothing read while paused');
      input.resume();
      await until(() => count(batches) === 3, 'records after resume');
      a.end();
      b.end();
    });
  });

  it('stop(grace) delivers data still in flight and closes connections', async () => {
    const batches: TcpBatch[] = [];
    const input = new TcpInput({ listen: '127.0.0.1', port: 0, onRecords: (b) => batches.push(b) });
    const { port } = await input.start();
    const s = await client(port);
    s.on('error', () => {});
    s.write('{"x":1}');
    await until(() => count(batches) === 1, 'record');
    input.pause();
    s.write('{"x":2}');
    s.end();
    await input.stop(1000);
    assert.equal(count(batches), 2);
    assert.equal(input.metrics().activeConnections, 0);
  });
});
