// One connection's worth of fluent-logger: a FluentSender in PackedForward mode with acks, used until
// anything goes wrong and then thrown away (the ForwardSink takes back what was not acknowledged and
// opens a new session after a backoff). fluent-logger's own reconnect logic is switched off: it
// retries every 10 minutes by default, logs to the console, and can be left stuck mid-flush.
//
// Internals of fluent-logger 3.4's FluentSender are used where its public surface falls short:
// `_socket` (to learn of `end`/`close`, which it ignores, and to unref the socket while nothing is
// pending so an idle logger never keeps a process alive), `_disconnect()` (to drop a dead connection
// at once) and `_sendQueueSize` (the bytes it holds: it packs everything queued for a tag into one
// chunk, so handing it records only while this is under `maxChunkBytes` is what bounds a chunk;
// Fluent Bit's forward input refuses chunks past 6 MB by default). Its `_doWrite` is replaced by
// the same code made to hold on to the socket it wrote to (see `guardedDoWrite`), and its
// `_makeEventEntry` by a faster encoder of the same bytes (see entry-encoder.ts).
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { LogTime } from './clock.ts';
import { encodeEventEntry } from './entry-encoder.ts';
import type { EventKind, LogRecord } from './sink.ts';

export interface PendingRecord {
  readonly kind: EventKind;
  readonly time: LogTime;
  readonly record: LogRecord;
}

type WriteCallback = ((error?: Error) => void) | undefined;

/** The parts of fluent-logger 3.4's FluentSender this module uses. */
interface Sender {
  emit(label: string, data: object, time: LogTime, callback: (error?: Error) => void): void;
  on(event: 'connect', listener: () => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  removeAllListeners(event?: string): void;
  _socket: Socket | null;
  _disconnect(): void;
  _doWrite(packet: Buffer, options: { chunk?: string }, timeoutId: unknown, callbacks: WriteCallback[]): void;
  _handleEvent(signal: string, data: unknown, callback?: WriteCallback): void;
  _waitToWrite(): void;
  _makeEventEntry(time: LogTime, data: object): Buffer;
  requireAckResponse: boolean;
  ackResponseTimeout: number;
  _sendQueueSize: number;
}

interface FluentLogger {
  createFluentSender(tagPrefix: string, options: Record<string, unknown>): Sender;
}

interface MsgpackLite {
  decode(data: Buffer, options?: object): unknown;
}

let loaded: { fluent: FluentLogger; msgpack: MsgpackLite } | undefined;

/** Loaded on first use, so services that log to stdout only never pay for fluent-logger. */
function load(): { fluent: FluentLogger; msgpack: MsgpackLite } {
  if (loaded === undefined) {
    const require = createRequire(import.meta.url);
    const fluent = require('fluent-logger') as FluentLogger;
    // msgpack-lite as fluent-logger itself resolves it, to decode acks exactly as it does.
    const msgpack = createRequire(require.resolve('fluent-logger'))('msgpack-lite') as MsgpackLite;
    loaded = { fluent, msgpack };
  }
  return loaded;
}

const SILENT = { info: () => undefined, error: () => undefined };

/**
 * fluent-logger 3.4's `_doWrite` with one change: it keeps the socket the packet was written to.
 * The original reads `this._socket` in the write callback; when the connection failed while the
 * write was still queued (the agent stalled, then reset), `_disconnect()` has set it to null by then
 * and the callback throws a TypeError from a socket callback, which would crash the application.
 */
function guardedDoWrite(
  this: Sender,
  msgpack: MsgpackLite,
  packet: Buffer,
  options: { chunk?: string; eventEntryDataSize?: number },
  callbacks: WriteCallback[],
): void {
  const socket = this._socket;
  if (socket === null) return;
  const sendPacketSize = options.eventEntryDataSize ?? this._sendQueueSize;
  socket.write(packet, (writeError?: Error | null) => {
    if (writeError) {
      for (const callback of callbacks) this._handleEvent('error', writeError, callback);
      return;
    }
    const onData = (data: Buffer) => {
      clearTimeout(timer);
      let ack: unknown;
      try {
        ack = (msgpack.decode(data) as { ack?: unknown } | null)?.ack;
      } catch {
        ack = undefined;
      }
      if (ack !== options.chunk) {
        const error = new Error(`ack ${String(ack)} does not match chunk ${String(options.chunk)}`);
        for (const callback of callbacks) this._handleEvent('error', error, callback);
        return;
      }
      for (const callback of callbacks) callback?.();
      this._sendQueueSize -= sendPacketSize;
      process.nextTick(() => this._waitToWrite());
    };
    socket.once('data', onData);
    const timer = setTimeout(() => {
      socket.off('data', onData);
      const error = new Error(`no ack within ${this.ackResponseTimeout} ms`);
      for (const callback of callbacks) this._handleEvent('error', error, callback);
    }, this.ackResponseTimeout);
    // An ack timer must not keep the process alive on its own; the socket does while records are pending.
    timer.unref();
  });
}

export interface SessionOptions {
  host: string;
  port: number;
  tag: string;
  ackTimeoutMs: number;
  flushIntervalMs: number;
  connectTimeoutMs: number;
  maxChunkBytes: number;
}

export interface SessionEvents {
  acked(record: PendingRecord): void;
  failed(error: Error): void;
}

export class FluentSession {
  readonly #sender: Sender;
  readonly #events: SessionEvents;
  readonly #unacked = new Set<PendingRecord>();
  readonly #connectTimer: NodeJS.Timeout;
  #socket: Socket | undefined;
  #dead = false;

  constructor(options: SessionOptions, events: SessionEvents) {
    const { fluent, msgpack } = load();
    this.#events = events;
    const sender = fluent.createFluentSender(options.tag, {
      host: options.host,
      port: options.port,
      eventMode: 'PackedForward',
      requireAckResponse: true,
      ackResponseTimeout: options.ackTimeoutMs,
      flushInterval: options.flushIntervalMs,
      // Reaching this sends at once instead of waiting for the flush interval.
      sendQueueSizeLimit: options.maxChunkBytes,
      enableReconnect: false,
      internalLogger: SILENT,
    });
    sender._makeEventEntry = encodeEventEntry;
    sender._doWrite = function (packet, opts, _timeoutId, callbacks) {
      guardedDoWrite.call(this, msgpack, packet, opts, callbacks);
    };
    sender.on('error', (error) => this.#fail(error));
    sender.on('connect', () => this.#connected());
    this.#sender = sender;
    this.#connectTimer = setTimeout(
      () =>
        this.#fail(
          new Error(`no connection to ${options.host}:${options.port} within ${options.connectTimeoutMs} ms`),
        ),
      options.connectTimeoutMs,
    );
    this.#connectTimer.unref();
  }

  get dead(): boolean {
    return this.#dead;
  }

  get unacked(): number {
    return this.#unacked.size;
  }

  /** Encoded bytes handed over and not yet acknowledged. */
  get queuedBytes(): number {
    return this.#sender._sendQueueSize;
  }

  /** Hands a record to fluent-logger; false when it cannot be encoded (the caller counts it dropped). */
  send(pending: PendingRecord): boolean {
    if (this.#dead) return false;
    try {
      this.#sender.emit(pending.kind, pending.record, pending.time, (error) => this.#settle(pending, error));
    } catch {
      return false;
    }
    if (this.#dead) return false; // failed synchronously: the caller keeps the record
    this.#unacked.add(pending);
    if (this.#unacked.size === 1) this.#socket?.ref();
    return true;
  }

  /** Records sent and not acknowledged, oldest first; they belong to the caller again. */
  takeUnacked(): PendingRecord[] {
    const records = [...this.#unacked];
    this.#unacked.clear();
    return records;
  }

  /** Closes the connection; anything unacknowledged stays with `takeUnacked()`. */
  close(): void {
    this.#fail(new Error('session closed'), false);
  }

  #connected(): void {
    clearTimeout(this.#connectTimer);
    const socket = this.#sender._socket;
    if (socket === null || this.#dead) return;
    this.#socket = socket;
    socket.setTimeout(0);
    if (this.#unacked.size === 0) socket.unref();
    // fluent-logger notices a closed connection only on its next write; without these a record
    // sent just before the agent restarted would wait the whole ack timeout.
    socket.once('end', () => this.#fail(new Error('the agent closed the connection')));
    socket.once('close', () => this.#fail(new Error('connection closed')));
  }

  #settle(pending: PendingRecord, error: Error | undefined): void {
    if (this.#dead) return;
    if (error) {
      this.#fail(error);
      return;
    }
    if (!this.#unacked.delete(pending)) return;
    if (this.#unacked.size === 0) this.#socket?.unref();
    this.#events.acked(pending);
  }

  #fail(error: Error, notify = true): void {
    if (this.#dead) return;
    this.#dead = true;
    clearTimeout(this.#connectTimer);
    this.#sender.removeAllListeners('connect');
    this.#sender.removeAllListeners('error');
    try {
      this.#sender._disconnect();
    } catch {
      // already gone
    }
    if (notify) this.#events.failed(error);
  }
}
