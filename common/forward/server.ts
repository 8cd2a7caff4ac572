import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { encodeAck } from './ack.ts';
import type { ForwardServerConfig, ForwardServerOptions } from './config.ts';
import { resolveServerConfig } from './config.ts';
import type { ForwardErrorKind } from './errors.ts';
import { ForwardProtocolError } from './errors.ts';
import type { ForwardFrame } from './frame.ts';
import { decodeFrameAsync } from './frame.ts';
import { FrameSplitter } from './frame-splitter.ts';
import { ServerHandshake } from './handshake.ts';
import { HeartbeatResponder } from './heartbeat.ts';
import type { DecodeLimits } from './limits.ts';

/** Who sent a frame. */
export interface ForwardSource {
  /** Connection number, unique per server. */
  readonly connectionId: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly tls: boolean;
  /** From the PING, when the shared-key handshake is on. */
  readonly hostname: string | undefined;
  readonly username: string | undefined;
}

/**
 * Called once per frame, in arrival order per connection. Up to `maxInflightFrames` calls of one
 * connection may be pending at once; past that the connection reads nothing more until one settles.
 * Resolve only once the frame is durable: that is when the server acks it. Rejecting closes the
 * connection without an ack, so the client sends the frame again.
 */
export type ForwardFrameHandler = (frame: ForwardFrame, source: ForwardSource) => Promise<void>;

export type LogFields = Record<string, string | number | boolean | undefined>;

export interface ForwardLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export type ForwardServerErrorKind = ForwardErrorKind | 'handler' | 'timeout' | 'tls' | 'socket';

/** Counters, monotonic except `connectionsActive`; shaped to map one-to-one onto Prometheus metrics. */
export interface ForwardServerStats {
  connectionsAccepted: number;
  connectionsActive: number;
  connectionsDropped: number;
  handshakesSucceeded: number;
  handshakesFailed: number;
  frames: number;
  entries: number;
  bytesReceived: number;
  acks: number;
  heartbeats: number;
  /** Frames whose `size` option disagreed with their entries (fluent-logger sends a byte count): tolerated. */
  sizeMismatches: number;
  errors: Record<ForwardServerErrorKind, number>;
}

export interface ForwardServerInit extends ForwardServerOptions {
  onFrame: ForwardFrameHandler;
  logger?: ForwardLogger;
}

const ERROR_KINDS: readonly ForwardServerErrorKind[] = [
  'malformed',
  'truncated',
  'bad_time',
  'bad_record',
  'bad_option',
  'size_mismatch',
  'frame_too_large',
  'record_too_large',
  'decompressed_too_large',
  'bad_compression',
  'unknown_compression',
  'unsupported_extension',
  'too_deep',
  'handshake',
  'handler',
  'timeout',
  'tls',
  'socket',
];

function stderrLogger(): ForwardLogger {
  const write = (level: string, message: string, fields?: LogFields): void => {
    process.stderr.write(`${JSON.stringify({ level, component: 'forward', message, ...fields })}\n`);
  };
  return {
    debug: () => {},
    info: () => {},
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
  };
}

/**
 * Fluent Forward v1 server over TCP or TLS: Message, Forward, PackedForward and CompressedPackedForward
 * frames, acks, the shared-key/user handshake, optional UDP heartbeats. One bad connection never affects
 * another: malformed input closes only the connection that sent it.
 */
export class ForwardServer {
  readonly config: ForwardServerConfig;
  private readonly onFrame: ForwardFrameHandler;
  private readonly logger: ForwardLogger;
  private readonly limits: DecodeLimits;
  private readonly connections = new Set<Connection>();
  private readonly counters: ForwardServerStats;
  private readonly host: ConnectionHost;
  private server: Server | undefined;
  private heartbeat: HeartbeatResponder | undefined;
  private nextId = 1;
  private closing = false;

  constructor(init: ForwardServerInit) {
    const { onFrame, logger, ...options } = init;
    if (typeof onFrame !== 'function') throw new TypeError('forward server needs an onFrame handler');
    this.config = resolveServerConfig(options);
    this.onFrame = onFrame;
    this.logger = logger ?? stderrLogger();
    this.limits = {
      maxRecordBytes: this.config.maxRecordBytes,
      maxDecompressedBytes: this.config.maxDecompressedBytes,
    };
    const errors = {} as Record<ForwardServerErrorKind, number>;
    for (const kind of ERROR_KINDS) errors[kind] = 0;
    this.counters = {
      connectionsAccepted: 0,
      connectionsActive: 0,
      connectionsDropped: 0,
      handshakesSucceeded: 0,
      handshakesFailed: 0,
      frames: 0,
      entries: 0,
      bytesReceived: 0,
      acks: 0,
      heartbeats: 0,
      sizeMismatches: 0,
      errors,
    };
    this.host = {
      config: this.config,
      limits: this.limits,
      logger: this.logger,
      stats: this.counters,
      onFrame,
      isClosing: () => this.closing,
      count: (kind) => this.counters.errors[kind]++,
      forget: (connection) => {
        if (this.connections.delete(connection)) this.counters.connectionsActive--;
      },
    };
  }

  /** Listens; resolves with the bound address (useful with port 0). */
  async start(): Promise<AddressInfo> {
    if (this.server !== undefined) throw new Error('forward server already started');
    const { tls, handshakeTimeoutMs } = this.config;
    let server: Server;
    if (tls === undefined) {
      server = createTcpServer((socket) => this.accept(socket, false));
    } else {
      server = createTlsServer(
        {
          key: tls.key,
          cert: tls.cert,
          ...(tls.ca === undefined ? {} : { ca: tls.ca, requestCert: true, rejectUnauthorized: true }),
          handshakeTimeout: handshakeTimeoutMs,
        },
        (socket: TLSSocket) => this.accept(socket, true),
      );
      server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
        this.counters.errors.tls++;
        this.logger.warn('TLS handshake failed', {
          remoteAddress: socket.remoteAddress,
          error: error.message,
        });
      });
    }
    server.maxConnections = this.config.maxConnections;
    server.on('drop', () => {
      this.counters.connectionsDropped++;
      this.logger.warn('connection dropped: maxConnections reached', {
        maxConnections: this.config.maxConnections,
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.logger.error('forward server error', { error: error.message }));
    const address = server.address() as AddressInfo;
    if (this.config.heartbeat) {
      this.heartbeat = new HeartbeatResponder(() => this.counters.heartbeats++);
      try {
        await this.heartbeat.start(this.config.host, address.port);
      } catch (error) {
        await this.close(0);
        throw error;
      }
    }
    this.logger.info('forward server listening', {
      host: address.address,
      port: address.port,
      tls: tls !== undefined,
    });
    return address;
  }

  get address(): AddressInfo | undefined {
    const address = this.server?.address();
    return address !== null && typeof address === 'object' ? address : undefined;
  }

  /** A snapshot of the counters. */
  stats(): ForwardServerStats {
    return { ...this.counters, errors: { ...this.counters.errors } };
  }

  /**
   * Stops accepting, stops reading, lets frames already handed to `onFrame` finish (and be acked) for up
   * to `graceMs`, then closes every connection. Frames received but not yet handed over are dropped
   * unacked; their senders will send them again.
   */
  async close(graceMs = 5000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const server = this.server;
    const serverClosed =
      server === undefined
        ? Promise.resolve()
        : new Promise<void>((resolve) => server.close(() => resolve()));
    await this.heartbeat?.close();
    const drained = Promise.all([...this.connections].map((c) => c.drain()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([drained, timeout]);
    clearTimeout(timer);
    for (const connection of this.connections) connection.destroy();
    await serverClosed;
  }

  private accept(socket: Socket, tls: boolean): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.counters.connectionsAccepted++;
    this.counters.connectionsActive++;
    const connection = new Connection(this.host, socket, this.nextId++, tls);
    this.connections.add(connection);
    connection.begin();
  }
}

/** What a connection may use of its server; keeps those internals off the server's public surface. */
interface ConnectionHost {
  readonly config: ForwardServerConfig;
  readonly limits: DecodeLimits;
  readonly logger: ForwardLogger;
  readonly stats: ForwardServerStats;
  readonly onFrame: ForwardFrameHandler;
  isClosing(): boolean;
  count(kind: ForwardServerErrorKind): void;
  forget(connection: Connection): void;
}

/** One client connection: splits, handshakes, decodes, hands frames over in order, acks. */
class Connection {
  private readonly server: ConnectionHost;
  private readonly socket: Socket;
  private readonly splitter: FrameSplitter;
  private readonly queue: Uint8Array[] = [];
  private source: ForwardSource;
  private handshake: ServerHandshake | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private busy = false;
  private closed = false;
  /** Handler calls not settled yet; acked as each one resolves (acks carry chunk ids, order is free). */
  private readonly inflight = new Set<Promise<void>>();
  /** Settles when the socket has closed, whoever closed it. */
  private readonly socketClosed: Promise<void>;
  private resolveClosed: () => void = () => {};

  constructor(server: ConnectionHost, socket: Socket, id: number, tls: boolean) {
    this.server = server;
    this.socket = socket;
    this.splitter = new FrameSplitter({ maxFrameBytes: server.config.maxFrameBytes });
    this.source = {
      connectionId: id,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      tls,
      hostname: undefined,
      username: undefined,
    };
    this.socketClosed = new Promise<void>((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  begin(): void {
    const { socket, server } = this;
    const config = server.config;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: Error) => {
      server.logger.debug('connection error', { ...this.fields(), error: error.message });
    });
    socket.on('close', () => this.onClose());
    if (config.idleTimeoutMs > 0) {
      socket.setTimeout(config.idleTimeoutMs);
      socket.on('timeout', () => {
        // A connection waiting on its handler is not idle; the wait is ours.
        if (this.busy || this.inflight.size > 0) {
          socket.setTimeout(config.idleTimeoutMs);
          return;
        }
        server.count('timeout');
        server.logger.info('closing idle connection', this.fields());
        this.destroy();
      });
    }
    if (config.sharedKey !== undefined) {
      this.handshake = new ServerHandshake({
        sharedKey: config.sharedKey,
        selfHostname: config.selfHostname,
        users: config.users,
      });
      socket.write(this.handshake.helo);
      this.handshakeTimer = setTimeout(() => {
        server.count('timeout');
        server.logger.warn('no PING within handshakeTimeoutMs', this.fields());
        this.destroy();
      }, config.handshakeTimeoutMs);
    }
  }

  /**
   * Stops taking frames; the one being handled (if any) finishes and is acked, then the connection is
   * ended. Resolves when the socket has closed. Ending (not destroying) lets a written ack reach the peer.
   */
  drain(): Promise<void> {
    this.queue.length = 0;
    if (!this.closed) {
      this.socket.pause();
      // pump() ends the connection once the frame it is decoding is handed over; then the handlers
      // in flight finish and are acked before the end.
      if (!this.busy) void this.endAfterInflight();
    }
    return this.socketClosed;
  }

  private async endAfterInflight(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    if (!this.closed) this.end();
  }

  destroy(): void {
    this.closed = true;
    this.queue.length = 0;
    clearTimeout(this.handshakeTimer);
    this.socket.destroy();
  }

  private end(): void {
    this.closed = true;
    clearTimeout(this.handshakeTimer);
    this.socket.end();
    // A paused socket never sees the peer's FIN and would stay half-open; anything still arriving is
    // discarded by onData now that the connection is closed.
    this.socket.resume();
  }

  private fields(): LogFields {
    return {
      connectionId: this.source.connectionId,
      remoteAddress: this.source.remoteAddress,
      remotePort: this.source.remotePort,
    };
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.server.stats.bytesReceived += chunk.length;
    let frames: Uint8Array[];
    try {
      frames = this.splitter.push(chunk);
    } catch (error) {
      this.reject(error);
      return;
    }
    if (frames.length === 0) return;
    for (const frame of frames) this.queue.push(frame);
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    // Backpressure: nothing more is read from this socket until its queued frames are handled.
    this.socket.pause();
    try {
      const limit = this.server.config.maxInflightFrames;
      let frame: Uint8Array | undefined;
      while (!this.closed && !this.server.isClosing() && (frame = this.queue.shift()) !== undefined) {
        await this.process(frame);
        while (this.inflight.size >= limit && !this.closed) await Promise.race(this.inflight);
      }
    } catch (error) {
      // process() handles its own failures; reaching here is a bug, still confined to this connection.
      this.server.logger.error('forward connection failed', { ...this.fields(), error: String(error) });
      this.destroy();
    } finally {
      this.busy = false;
    }
    if (this.closed) return;
    if (this.server.isClosing()) void this.endAfterInflight();
    else this.socket.resume();
  }

  private async process(bytes: Uint8Array): Promise<void> {
    const server = this.server;
    if (this.handshake !== undefined) {
      this.answerPing(this.handshake, bytes);
      return;
    }
    let frame: ForwardFrame;
    try {
      frame = await decodeFrameAsync(bytes, server.limits);
    } catch (error) {
      this.reject(error);
      return;
    }
    const stats = server.stats;
    stats.frames++;
    stats.entries += frame.entryCount;
    if (frame.sizeMismatch) stats.sizeMismatches++;
    // Called in arrival order but not awaited here: up to maxInflightFrames of this connection's
    // frames may be waiting on the handler (their appends then share one fsync).
    const handled: Promise<void> = server.onFrame(frame, this.source).then(
      () => {
        const chunk = frame.chunk;
        if (chunk !== undefined && !this.socket.destroyed) {
          this.socket.write(encodeAck(chunk));
          stats.acks++;
        }
      },
      (error: unknown) => {
        server.count('handler');
        server.logger.error('frame handler failed; closing connection without ack', {
          ...this.fields(),
          tag: frame.tag,
          error: error instanceof Error ? error.message : String(error),
        });
        this.destroy();
      },
    );
    this.inflight.add(handled);
    void handled.finally(() => this.inflight.delete(handled));
  }

  private answerPing(handshake: ServerHandshake, bytes: Uint8Array): void {
    const server = this.server;
    const verdict = handshake.answer(bytes);
    clearTimeout(this.handshakeTimer);
    this.socket.write(verdict.pong);
    if (!verdict.ok) {
      server.stats.handshakesFailed++;
      server.count('handshake');
      server.logger.warn('handshake refused', {
        ...this.fields(),
        reason: verdict.reason,
        hostname: verdict.hostname,
      });
      this.end();
      return;
    }
    server.stats.handshakesSucceeded++;
    this.handshake = undefined;
    this.source = { ...this.source, hostname: verdict.hostname, username: verdict.username || undefined };
  }

  private reject(error: unknown): void {
    const server = this.server;
    if (error instanceof ForwardProtocolError) {
      server.count(error.kind);
      server.logger.warn('rejected malformed input; closing connection', {
        ...this.fields(),
        kind: error.kind,
        error: error.message,
      });
    } else {
      server.count('socket');
      server.logger.error('unexpected error reading frame; closing connection', {
        ...this.fields(),
        error: String(error),
      });
    }
    this.destroy();
  }

  private onClose(): void {
    if (!this.closed && this.splitter.bufferedBytes > 0) {
      this.server.logger.debug('connection closed mid-frame', {
        ...this.fields(),
        bufferedBytes: this.splitter.bufferedBytes,
      });
    }
    this.closed = true;
    this.queue.length = 0;
    clearTimeout(this.handshakeTimer);
    this.resolveClosed();
    this.server.forget(this);
  }
}
