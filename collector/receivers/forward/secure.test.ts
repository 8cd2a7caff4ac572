// The collector's Forward receiver config for TLS and the shared-key handshake, end to end over a real
// TLS socket: what the agent's forward output (Fluent Bit `tls on`, `Shared_Key`) will use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { connect, type TLSSocket } from 'node:tls';
import {
  ClientHandshake,
  decodeAck,
  decodePong,
  encodePackedForward,
  FrameSplitter,
} from '../../../common/forward/index.ts';
import { startTestCollector } from '../../../test/support/collector.ts';
import { createRecordingExporter } from '../../../test/support/recording-exporter.ts';
import { selfSignedCertificate } from '../../../test/support/tls.ts';

/** Reads whole msgpack frames off a socket, one at a time. */
function frames(socket: TLSSocket): () => Promise<Uint8Array> {
  const splitter = new FrameSplitter({ maxFrameBytes: 4096 });
  const ready: Uint8Array[] = [];
  const waiting: ((f: Uint8Array) => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    for (const frame of splitter.push(chunk)) {
      const waiter = waiting.shift();
      if (waiter) waiter(frame);
      else ready.push(frame);
    }
  });
  return () => {
    const frame = ready.shift();
    return frame ? Promise.resolve(frame) : new Promise((resolve) => waiting.push(resolve));
  };
}

async function handshakeAndSend(port: number, ca: Buffer, sharedKey: string) {
  const socket = connect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  const next = frames(socket);
  const client = new ClientHandshake({ sharedKey, selfHostname: 'agent-1' });
  socket.write(client.ping(await next()));
  const pong = client.verify(await next());
  return { socket, next, pong };
}

test('TLS + shared key: a client with the right key is accepted and acked; a wrong key is refused', async (t) => {
  const { dir, cert: ca, certFile, keyFile } = selfSignedCertificate();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const recording = createRecordingExporter();
  const { forwardPort, stop } = await startTestCollector(
    {
      receivers: {
        forward: { shared_key: 'a-shared-secret', tls: { cert_file: certFile, key_file: keyFile } },
      },
    },
    { exporters: [recording] },
  );
  t.after(stop);

  const good = await handshakeAndSend(forwardPort, ca, 'a-shared-secret');
  assert.equal(good.pong.authenticated, true);
  good.socket.write(
    encodePackedForward('secure.app', [{ time: 1_795_000_000, record: { message: 'over tls' } }], {
      chunk: 'c1',
    }),
  );
  assert.equal(decodeAck(await good.next()), 'c1');
  await recording.waitForLogs(1);
  assert.equal(recording.logs[0]?.message, 'over tls');
  good.socket.end();

  const bad = connect({ port: forwardPort, host: '127.0.0.1', ca, servername: 'localhost' });
  await new Promise<void>((resolve) => bad.once('secureConnect', resolve));
  const next = frames(bad);
  const client = new ClientHandshake({ sharedKey: 'the-wrong-secret', selfHostname: 'agent-2' });
  bad.write(client.ping(await next()));
  const closed = new Promise((resolve) => bad.once('close', resolve));
  const refused = decodePong(await next());
  assert.equal(refused.authenticated, false);
  assert.match(refused.reason, /shared_key mismatch/);
  await closed;
  assert.equal(recording.logs.length, 1);
});
