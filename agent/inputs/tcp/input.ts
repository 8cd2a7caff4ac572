// The tcp input: a net server whose connections are cut into records by `Format` (json objects or
// separated lines). Each socket read becomes at most one batch handed to `onRecords`, so the
// per-record cost is the splitter alone. The host applies backpressure with pause()/resume().
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { JsonObjectSplitter } from './json-stream.ts';
import type { JsonErrorKind } from './json-stream.ts';
import { SeparatedSplitter } from './separated.ts';

export type TcpFormat = 'json' | 'none';
export type TcpErrorKind = JsonErrorKind | 'socket';

/** Defaults are Fluent Bit's (and agent/config/registry.ts's `tcp` key table). */
export const TCP_DEFAULTS = {
  listen: '0.0.0.0',
  port: 5170,
  format: 'json' as TcpFormat,
  separator: '\n',
  chunkSize: 32 * 1024,
} as const;

export interface TcpBatch {
  /** Records from one socket read, in stream order. Owned by the callee. */
  records: Record<string, unknown>[];
  /** Date.now() when the read arrived: the receipt time of every record in the batch. */
  receivedAt: number;
  /** Bytes of the socket read(s) the records came from. */
  bytes: number;
  /** Peer as `tcp://address:port` (also what Source_Address_Key adds). */
  peer: string;
  /** Event id of records[i] is `${idPrefix}${firstSeq + i}` (see tcpEventId). */
  idPrefix: string;
  firstSeq: number;
}

export interface TcpLogEntry {
  kind: TcpErrorKind;
  message: string;
  peer: string;
  /** Start of the offending text (json) or undefined. */
  sample?: string;
}

export interface TcpInputOptions {
  /** `Listen`; default 0.0.0.0. */
  listen?: string;
  /** `Port`; default 5170, 0 picks a free port. */
  port?: number;
  /** `Format`; default json. */
  format?: TcpFormat;
  /** `Separator` already unescaped (`\n`, `\r\n`); only for Format none. */
  separator?: string;
  /** `Chunk_Size` in bytes; default 32 KiB. */
  chunkSize?: number;
  /** `Buffer_Size` in bytes: largest record; default chunkSize. */
  bufferSize?: number;
  /** `Source_Address_Key`: add the peer (`tcp://address:port`) under this key. */
  sourceAddressKey?: string;
  /** Receives each batch synchronously; call pause() from here to stop reading. */
  onRecords: (batch: TcpBatch) => void;
  /** Where skipped-data errors are logged; default: one line on stderr. */
  log?: (entry: TcpLogEntry) => void;
}

export interface TcpCounters {
  /** Connections accepted since start. */
  connections: number;
  /** Connections open now. */
  activeConnections: number;
  records: number;
  bytes: number;
  errors: Record<TcpErrorKind, number>;
}

interface Splitter {
  push(text: string, out: Record<string, unknown>[]): void;
  end(out: Record<string, unknown>[]): void;
}

/** The event id of batch.records[index]: made at receipt (DESIGN.md "Delivery guarantees"). */
export function tcpEventId(batch: TcpBatch, index: number): string {
  return batch.idPrefix + String(batch.firstSeq + index);
}

export class TcpInput {
  readonly options: Readonly<Required<Omit<TcpInputOptions, 'sourceAddressKey' | 'log'>>> & {
    readonly sourceAddressKey: string | undefined;
  };
  private readonly log: (entry: TcpLogEntry) => void;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private paused = false;
  /** Random per-instance prefix: ids stay unique across restarts without coordination. */
  private readonly idPrefix = randomBytes(8).toString('hex') + '-';
  private seq = 0;
  private readonly counters: TcpCounters = {
    connections: 0,
    activeConnections: 0,
    records: 0,
    bytes: 0,
    errors: { invalid: 0, not_object: 0, oversized: 0, truncated: 0, socket: 0 },
  };

  constructor(options: TcpInputOptions) {
    const chunkSize = options.chunkSize ?? TCP_DEFAULTS.chunkSize;
    const bufferSize = options.bufferSize ?? chunkSize;
    const separator = options.separator ?? TCP_DEFAULTS.separator;
    if (!(bufferSize > 0) || !(chunkSize > 0))
      throw new RangeError('Buffer_Size and Chunk_Size must be positive');
    if (separator === '') throw new RangeError('Separator must not be empty');
    this.options = {
      listen: options.listen ?? TCP_DEFAULTS.listen,
      port: options.port ?? TCP_DEFAULTS.port,
      format: options.format ?? TCP_DEFAULTS.format,
      separator,
      chunkSize,
      bufferSize,
      sourceAddressKey: options.sourceAddressKey,
      onRecords: options.onRecords,
    };
    this.log =
      options.log ??
      ((e) => {
        process.stderr.write(
          `[in_tcp] ${e.peer}: skipped ${e.kind}: ${e.message}${e.sample === undefined ? '' : ` near ${JSON.stringify(e.sample)}`}\n`,
        );
      });
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  async start(): Promise<{ port: number }> {
    if (this.server) throw new Error('tcp input already started');
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.listen, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // After listening, server errors (e.g. EMFILE on accept) are counted, not fatal.
    server.on('error', () => {
      this.counters.errors.socket++;
    });
    return { port: (server.address() as AddressInfo).port };
  }

  /**
   * Stops accepting, lets open connections finish for up to graceMs (their remaining data is
   * still delivered), then destroys what is left.
   */
  async stop(graceMs = 0): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Paused sockets would never drain: resume so they can finish within the grace period.
    this.resume();
    if (this.sockets.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        const check = (): void => {
          if (this.sockets.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        };
        for (const s of this.sockets) s.once('close', check);
      });
      for (const s of this.sockets) s.destroy();
    }
    await closed;
  }

  /** Backpressure: stop reading every socket (and new ones) until resume(). */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    for (const s of this.sockets) s.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const s of this.sockets) s.resume();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** A snapshot of the counters. */
  metrics(): TcpCounters {
    return { ...this.counters, errors: { ...this.counters.errors } };
  }

  private accept(socket: Socket): void {
    const c = this.counters;
    c.connections++;
    c.activeConnections++;
    this.sockets.add(socket);
    if (this.paused) socket.pause();
    const peer = `tcp://${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
    const { format, separator, bufferSize, sourceAddressKey, onRecords } = this.options;
    const report = (kind: TcpErrorKind, message: string, sample?: string): void => {
      c.errors[kind]++;
      this.log(sample === undefined ? { kind, message, peer } : { kind, message, peer, sample });
    };
    const splitter: Splitter =
      format === 'json'
        ? wrapJson(new JsonObjectSplitter(bufferSize, report))
        : new SeparatedSplitter(separator, bufferSize, report);
    // StringDecoder keeps a UTF-8 sequence split across reads intact.
    const decoder = new StringDecoder('utf8');

    const deliver = (records: Record<string, unknown>[], receivedAt: number, bytes: number): void => {
      if (records.length === 0) return;
      if (sourceAddressKey !== undefined) for (const r of records) r[sourceAddressKey] = peer;
      const firstSeq = this.seq;
      this.seq += records.length;
      c.records += records.length;
      onRecords({ records, receivedAt, bytes, peer, idPrefix: this.idPrefix, firstSeq });
    };

    socket.on('data', (chunk: Buffer) => {
      const receivedAt = Date.now();
      c.bytes += chunk.length;
      const records: Record<string, unknown>[] = [];
      splitter.push(decoder.write(chunk), records);
      deliver(records, receivedAt, chunk.length);
    });
    socket.on('end', () => {
      const records: Record<string, unknown>[] = [];
      const tail = decoder.end();
      if (tail !== '') splitter.push(tail, records);
      splitter.end(records);
      deliver(records, Date.now(), 0);
      socket.end();
    });
    socket.on('error', (err) => report('socket', err.message));
    socket.on('close', () => {
      c.activeConnections--;
      this.sockets.delete(socket);
    });
  }
}

function wrapJson(s: JsonObjectSplitter): Splitter {
  return { push: (text, out) => s.push(text, out), end: () => s.end() };
}
