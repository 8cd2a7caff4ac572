// A minimal acking Forward client for tests and benchmarks: sends PackedForward frames with a chunk
// id and resolves each send on the server's {ack}. (The agent's forward output is the real client.)
import { connect, type Socket } from 'node:net';
import {
  decodeAck,
  encodePackedForward,
  FrameSplitter,
  newChunkId,
  type EntryInput,
} from '../../common/forward/index.ts';

export class ForwardTestClient {
  readonly #socket: Socket;
  readonly #pending = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  readonly #splitter = new FrameSplitter({ maxFrameBytes: 1024 });
  #closedError: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.#splitter.push(chunk)) {
        const id = decodeAck(frame);
        this.#pending.get(id)?.resolve();
        this.#pending.delete(id);
      }
    });
    const fail = (error: Error) => {
      this.#closedError = error;
      for (const waiter of this.#pending.values()) waiter.reject(error);
      this.#pending.clear();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed before the ack')));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<ForwardTestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => {
        socket.off('error', reject);
        resolve(new ForwardTestClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Sends one PackedForward frame (entries or a pre-encoded event stream); resolves on its ack. */
  send(tag: string, entries: readonly EntryInput[] | Uint8Array, chunk = newChunkId()): Promise<void> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    const frame = encodePackedForward(tag, entries, { chunk });
    return new Promise((resolve, reject) => {
      this.#pending.set(chunk, { resolve, reject });
      this.#socket.write(frame);
    });
  }

  /** Writes raw bytes (malformed-frame tests). */
  writeRaw(bytes: Uint8Array): void {
    this.#socket.write(bytes);
  }

  closed(): Promise<void> {
    if (this.#socket.closed) return Promise.resolve();
    return new Promise((resolve) => this.#socket.once('close', () => resolve()));
  }

  close(): void {
    this.#socket.end();
  }
}
