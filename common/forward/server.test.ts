import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { decodeAck } from './ack.ts';
import { EventTime } from './event-time.ts';
import { encodeForward } from './forward.ts';
import type { ForwardFrame } from './frame.ts';
import { FrameSplitter } from './frame-splitter.ts';
import { ClientHandshake } from './handshake.ts';
import { encodeMessage } from './message.ts';
import { encodeCompressedPackedForward, encodePackedForward } from './packed-forward.ts';
import type {
  ForwardFrameHandler,
  ForwardLogger,
  ForwardServerInit,
  ForwardSource,
  LogFields,
} from './server.ts';
import { ForwardServer } from './server.ts';
import { mp, nth } from './test-helpers.ts';
import { selfSignedCertificate } from '../../test/support/tls.ts';

const time = new EventTime(1700000000, 1);

/** A bare socket client: writes bytes, reads back whole msgpack values. */
class RawClient {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  bytesReceived = 0;
  private readonly splitter = new FrameSplitter();
  private readonly frames: Uint8Array[] = [];
  private waiter: (() => void) | undefined;
  private isClosed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.bytesReceived += chunk.length;
      this.frames.push(...this.splitter.push(chunk));
      this.waiter?.();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        this.waiter?.();
        resolve();
      });
    });
    // Close our side when the server ends its side, as a real client would.
    socket.on('end', () => socket.end());
  }

  static async connect(port: number, tls?: { ca: Buffer }): Promise<RawClient> {
    if (tls === undefined) {
      const socket = netConnect(port, '127.0.0.1');
      await once(socket, 'connect');
      return new RawClient(socket);
    }
    const socket = tlsConnect({ port, host: '127.0.0.1', servername: 'localhost', ca: tls.ca });
    await once(socket, 'secureConnect');
    return new RawClient(socket);
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  async next(): Promise<Uint8Array> {
    for (;;) {
      const frame = this.frames.shift();
      if (frame !== undefined) return frame;
      if (this.isClosed) throw new Error('connection closed before a reply');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
      this.waiter = undefined;
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

interface Captured {
  level: string;
  message: string;
  fields: LogFields | undefined;
}

function captureLogger(into: Captured[]): ForwardLogger {
  const at =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      into.push({ level, message, fields });
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

interface Harness {
  server: ForwardServer;
  port: number;
  frames: { frame: ForwardFrame; source: ForwardSource }[];
  logs: Captured[];
}

async function startServer(
  options: Partial<ForwardServerInit> = {},
  handler?: ForwardFrameHandler,
): Promise<Harness> {
  const frames: Harness['frames'] = [];
  const logs: Captured[] = [];
  const server = new ForwardServer({
    host: '127.0.0.1',
    port: 0,
    selfHostname: 'collector-test',
    logger: captureLogger(logs),
    ...options,
    onFrame:
      handler ??
      ((frame, source) => {
        frames.push({ frame, source });
        return Promise.resolve();
      }),
  });
  const address = await server.start();
  return { server, port: address.port, frames, logs };
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Polls until `condition` holds; the test's own timeout bounds it. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Lets the event loop run a few turns (I/O included), so anything already due has happened. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('ForwardServer', () => {
  it('receives every mode in order, acks frames with a chunk, and counts', async () => {
    const h = await startServer();
    try {
      const client = await RawClient.connect(h.port);
      const sent = [
        encodeMessage('m', { time, record: { a: 1 } }, { chunk: 'c1' }),
        encodeForward(
          'f',
          [
            { time, record: { b: 1 } },
            { time: 5, record: { b: 2 } },
          ],
          { chunk: 'c2', size: 2 },
        ),
        encodePackedForward('p', [{ time, record: { c: 1 } }]),
        encodeCompressedPackedForward('z', [{ time, record: { d: 1 } }], { chunk: 'c4' }),
      ];
      // All at once and cut into odd pieces, to exercise splitting on a real socket.
      const all = Buffer.concat(sent);
      for (let at = 0; at < all.length; at += 7) client.write(all.subarray(at, at + 7));
      assert.equal(decodeAck(await client.next()), 'c1');
      assert.equal(decodeAck(await client.next()), 'c2');
      assert.equal(decodeAck(await client.next()), 'c4');
      assert.deepEqual(
        h.frames.map(({ frame }) => [frame.mode, frame.tag, frame.entryCount]),
        [
          ['Message', 'm', 1],
          ['Forward', 'f', 2],
          ['PackedForward', 'p', 1],
          ['CompressedPackedForward', 'z', 1],
        ],
      );
      assert.deepEqual(nth(h.frames, 1).frame.decodeEntry(1).record, { b: 2 });
      assert.equal(nth(h.frames, 0).source.remoteAddress, '127.0.0.1');
      const stats = h.server.stats();
      assert.equal(stats.frames, 4);
      assert.equal(stats.entries, 5);
      assert.equal(stats.acks, 3);
      assert.equal(stats.bytesReceived, all.length);
      assert.equal(stats.connectionsActive, 1);
      client.destroy();
      await client.closed;
    } finally {
      await h.server.close(1000);
    }
  });

  it('acks only after the handler resolves; at maxInflightFrames it reads nothing more', async () => {
    const gate = deferred();
    const called: string[] = [];
    let handlerEntered = deferred();
    const h = await startServer({ maxInflightFrames: 1 }, async (frame) => {
      called.push(frame.tag);
      handlerEntered.resolve();
      if (frame.tag === 'first') await gate.promise;
    });
    try {
      const client = await RawClient.connect(h.port);
      client.write(encodeMessage('first', { time, record: {} }, { chunk: 'k1' }));
      await handlerEntered.promise;
      handlerEntered = deferred();
      client.write(encodeMessage('second', { time, record: {} }, { chunk: 'k2' }));
      await settle();
      assert.equal(client.bytesReceived, 0, 'no ack while the handler is pending');
      assert.deepEqual(called, ['first'], 'the next frame waits for the pending one');
      gate.resolve();
      assert.equal(decodeAck(await client.next()), 'k1');
      assert.equal(decodeAck(await client.next()), 'k2');
      assert.deepEqual(called, ['first', 'second']);
      client.destroy();
    } finally {
      await h.server.close(1000);
    }
  });

  it('pipelines up to maxInflightFrames frames in arrival order and acks each when its handler resolves', async () => {
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const called: string[] = [];
    const h = await startServer({ maxInflightFrames: 3 }, async (frame) => {
      called.push(frame.tag);
      const gate = deferred();
      gates.set(frame.tag, gate);
      await gate.promise;
    });
    try {
      const client = await RawClient.connect(h.port);
      for (const tag of ['a', 'b', 'c', 'd'])
        client.write(encodeMessage(tag, { time, record: {} }, { chunk: tag }));
      await settle();
      assert.deepEqual(called, ['a', 'b', 'c'], 'three in flight, in arrival order; the fourth waits');
      assert.equal(client.bytesReceived, 0);
      gates.get('b')?.resolve();
      assert.equal(decodeAck(await client.next()), 'b', 'acks follow completion, not arrival');
      await settle();
      assert.deepEqual(called, ['a', 'b', 'c', 'd']);
      for (const tag of ['a', 'c', 'd']) gates.get(tag)?.resolve();
      const rest = [
        decodeAck(await client.next()),
        decodeAck(await client.next()),
        decodeAck(await client.next()),
      ];
      assert.deepEqual(rest.sort(), ['a', 'c', 'd']);
      client.destroy();
    } finally {
      await h.server.close(1000);
    }
  });

  it('does not ack and closes the connection when the handler rejects', async () => {
    const h = await startServer({}, () => Promise.reject(new Error('queue full')));
    try {
      const client = await RawClient.connect(h.port);
      client.write(encodeMessage('t', { time, record: {} }, { chunk: 'k' }));
      await client.closed;
      assert.equal(client.bytesReceived, 0);
      assert.equal(h.server.stats().errors.handler, 1);
      assert.equal(h.server.stats().acks, 0);
      assert.ok(h.logs.some((l) => l.level === 'error' && l.fields?.['error'] === 'queue full'));
    } finally {
      await h.server.close(1000);
    }
  });

  it('closes only the connection that sent a malformed frame', async () => {
    const h = await startServer();
    try {
      const good = await RawClient.connect(h.port);
      const bad = await RawClient.connect(h.port);
      bad.write(mp(['tag', 'not-a-stream-of-entries', { chunk: 'x' }]));
      await bad.closed;
      good.write(encodeMessage('ok', { time, record: {} }, { chunk: 'g' }));
      assert.equal(decodeAck(await good.next()), 'g');
      const stats = h.server.stats();
      assert.equal(stats.errors.malformed, 1);
      assert.equal(stats.frames, 1);
      const warning = h.logs.find((l) => l.level === 'warn');
      assert.match(
        String(warning?.fields?.['error']),
        /^PackedForward entry 0: entry must be a 2-element array/,
      );
      good.destroy();
    } finally {
      await h.server.close(1000);
    }
  });

  it('refuses a frame over maxFrameBytes from its header', async () => {
    const h = await startServer({ maxFrameBytes: 1024 });
    try {
      const client = await RawClient.connect(h.port);
      client.write(Buffer.from([0x92, 0xa1, 0x74, 0xc6, 0x7f, 0xff, 0xff, 0xff]));
      await client.closed;
      assert.equal(h.server.stats().errors.frame_too_large, 1);
    } finally {
      await h.server.close(1000);
    }
  });

  it('performs the shared-key handshake before accepting frames', async () => {
    const h = await startServer({ sharedKey: 's3cret', users: [{ username: 'agent', password: 'pw' }] });
    try {
      const client = await RawClient.connect(h.port);
      const hs = new ClientHandshake({
        sharedKey: 's3cret',
        selfHostname: 'node-1',
        username: 'agent',
        password: 'pw',
      });
      client.write(hs.ping(await client.next()));
      const pong = hs.verify(await client.next());
      assert.equal(pong.hostname, 'collector-test');
      client.write(encodeMessage('t', { time, record: { x: 1 } }, { chunk: 'after-auth' }));
      assert.equal(decodeAck(await client.next()), 'after-auth');
      assert.equal(nth(h.frames, 0).source.hostname, 'node-1');
      assert.equal(nth(h.frames, 0).source.username, 'agent');
      assert.equal(h.server.stats().handshakesSucceeded, 1);
      client.destroy();
    } finally {
      await h.server.close(1000);
    }
  });

  it('answers a wrong shared key with PONG false and closes the connection', { timeout: 5000 }, async () => {
    const h = await startServer({ sharedKey: 's3cret' });
    try {
      const client = await RawClient.connect(h.port);
      const hs = new ClientHandshake({ sharedKey: 'guess', selfHostname: 'node-1' });
      client.write(hs.ping(await client.next()));
      const pong = await client.next();
      assert.throws(() => hs.verify(pong), /refused authentication: shared_key mismatch/);
      // Frames sent anyway are never handed over.
      client.write(encodeMessage('t', { time, record: {} }, { chunk: 'x' }));
      await client.closed;
      assert.equal(h.frames.length, 0);
      // The server side closes too, rather than lingering half-open.
      await until(() => h.server.stats().connectionsActive === 0);
      assert.equal(h.server.stats().handshakesFailed, 1);
      assert.equal(h.server.stats().errors.handshake, 1);
    } finally {
      await h.server.close(1000);
    }
  });

  it('closes a connection that sends no PING in time', async () => {
    const h = await startServer({ sharedKey: 'k', handshakeTimeoutMs: 50 });
    try {
      const client = await RawClient.connect(h.port);
      await client.next(); // HELO
      await client.closed;
      assert.equal(h.server.stats().errors.timeout, 1);
    } finally {
      await h.server.close(1000);
    }
  });

  it('closes idle connections', async () => {
    const h = await startServer({ idleTimeoutMs: 50 });
    try {
      const client = await RawClient.connect(h.port);
      await client.closed;
      assert.equal(h.server.stats().errors.timeout, 1);
    } finally {
      await h.server.close(1000);
    }
  });

  it('answers UDP heartbeats on the same port', async () => {
    const h = await startServer({ heartbeat: true });
    const udp = createSocket('udp4');
    try {
      const reply = once(udp, 'message');
      udp.send(Buffer.from([0x00]), h.port, '127.0.0.1');
      const [message] = (await reply) as [Buffer];
      assert.deepEqual([...message], [0x00]);
      assert.equal(h.server.stats().heartbeats, 1);
    } finally {
      udp.close();
      await h.server.close(1000);
    }
  });

  it('close() lets an in-flight frame finish and be acked, then closes', async () => {
    const gate = deferred();
    const entered = deferred();
    const h = await startServer({}, async () => {
      entered.resolve();
      await gate.promise;
    });
    const client = await RawClient.connect(h.port);
    client.write(encodeMessage('t', { time, record: {} }, { chunk: 'last' }));
    await entered.promise;
    const closing = h.server.close(10_000);
    await settle();
    gate.resolve();
    assert.equal(decodeAck(await client.next()), 'last');
    await client.closed;
    await closing;
    assert.equal(h.server.stats().connectionsActive, 0);
    await assert.rejects(RawClient.connect(h.port));
  });

  describe('over TLS', () => {
    let dir = '';
    let key: Buffer = Buffer.alloc(0);
    let cert: Buffer = Buffer.alloc(0);

    before(() => {
      ({ dir, key, cert } = selfSignedCertificate());
    });

    after(() => rmSync(dir, { recursive: true, force: true }));

    it('serves frames and acks over TLS with a self-signed certificate', async () => {
      const h = await startServer({ tls: { key, cert }, sharedKey: 'k' });
      try {
        const client = await RawClient.connect(h.port, { ca: cert });
        const hs = new ClientHandshake({ sharedKey: 'k', selfHostname: 'tls-client' });
        client.write(hs.ping(await client.next()));
        hs.verify(await client.next());
        client.write(encodePackedForward('secure', [{ time, record: { s: 1 } }], { chunk: 'tls-1' }));
        assert.equal(decodeAck(await client.next()), 'tls-1');
        assert.equal(nth(h.frames, 0).source.tls, true);
        assert.deepEqual(nth(h.frames, 0).frame.decodeEntry(0).record, { s: 1 });
        client.destroy();
      } finally {
        await h.server.close(1000);
      }
    });

    it('refuses plaintext on a TLS port without disturbing the server', async () => {
      const h = await startServer({ tls: { key, cert } });
      try {
        const plain = await RawClient.connect(h.port);
        plain.write(encodeMessage('t', { time, record: {} }, { chunk: 'x' }));
        await plain.closed;
        assert.equal(h.frames.length, 0);
        assert.equal(h.server.stats().errors.tls, 1);
        const client = await RawClient.connect(h.port, { ca: cert });
        client.write(encodeMessage('t', { time, record: {} }, { chunk: 'y' }));
        assert.equal(decodeAck(await client.next()), 'y');
        client.destroy();
      } finally {
        await h.server.close(1000);
      }
    });
  });
});
