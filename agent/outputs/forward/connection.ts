// One persistent connection to one Forward server (TCP, TLS or a Unix socket), used by one worker:
// connects on demand (TCP + TLS + shared-key handshake within the connect timeout), writes one frame
// at a time and waits for its ack when asked. Any failure destroys the socket, so the next send
// starts from a fresh connection.
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { ClientHandshake, FrameSplitter, decodeAck, decodeHelo } from '../../../common/forward/index.ts';
import type { ClientHandshakeConfig } from '../../../common/forward/index.ts';

export type ForwardErrorKind = 'connect' | 'timeout' | 'handshake' | 'closed' | 'protocol';

/** A failed send: the chunk may not have arrived and should be retried. */
export class ForwardSendError extends Error {
  readonly kind: ForwardErrorKind;

  constructor(kind: ForwardErrorKind, message: string) {
    super(message);
    this.name = 'ForwardSendError';
    this.kind = kind;
  }
}

export interface ConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly unixPath: string | undefined;
  readonly tls: ConnectionOptions | undefined;
  /** Set when the server requires the shared-key handshake. */
  readonly handshake: ClientHandshakeConfig | undefined;
}

export interface ConnectionLimits {
  readonly connectTimeoutMs: number;
  readonly ackTimeoutMs: number;
  readonly keepalive: boolean;
  readonly idleTimeoutMs: number;
  /** Sends before the connection is closed and made anew (0: no limit). */
  readonly maxRecycle: number;
}

// Acks and handshake messages are tiny; anything near this is not a Forward server talking.
const MAX_REPLY_BYTES = 64 * 1024;

interface Waiter {
  resolve(frame: Uint8Array): void;
  reject(error: Error): void;
}

export class ForwardConnection {
  private readonly target: ConnectionTarget;
  private readonly limits: ConnectionLimits;
  private socket: Socket | undefined;
  private splitter = new FrameSplitter({ maxFrameBytes: MAX_REPLY_BYTES });
  private readonly inbox: Uint8Array[] = [];
  private waiter: Waiter | undefined;
  /** Why the current socket is unusable; set once it closed or errored. */
  private broken: ForwardSendError | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private uses = 0;
  private busy = false;

  constructor(target: ConnectionTarget, limits: ConnectionLimits) {
    this.target = target;
    this.limits = limits;
  }

  get connected(): boolean {
    return this.socket !== undefined && this.broken === undefined;
  }

  /**
   * Sends one frame. Resolves once the socket write completed, or, with `chunkId`, once the server
   * acked that id. Rejects with a ForwardSendError; the connection is then dropped.
   */
  async send(frame: Uint8Array, chunkId: string | undefined): Promise<void> {
    if (this.busy) throw new Error('ForwardConnection.send called while a send is in progress');
    this.busy = true;
    clearTimeout(this.idleTimer);
    try {
      const socket = this.connected && this.socket !== undefined ? this.socket : await this.open();
      if (this.inbox.length > 0) throw this.unexpected(this.inbox[0]);
      await this.write(socket, frame);
      if (chunkId !== undefined) {
        const reply = await this.next(Date.now() + this.limits.ackTimeoutMs, 'ack');
        let ack: string;
        try {
          ack = decodeAck(reply);
        } catch {
          throw this.unexpected(reply);
        }
        if (ack !== chunkId) {
          throw new ForwardSendError('protocol', `server acked ${JSON.stringify(ack)}, expected ${chunkId}`);
        }
      }
      this.uses++;
      if (!this.limits.keepalive || (this.limits.maxRecycle > 0 && this.uses >= this.limits.maxRecycle)) {
        this.end();
      } else if (this.limits.idleTimeoutMs > 0) {
        this.idleTimer = setTimeout(() => this.end(), this.limits.idleTimeoutMs);
        this.idleTimer.unref();
      }
    } catch (error) {
      this.drop();
      throw error instanceof ForwardSendError
        ? error
        : new ForwardSendError('protocol', (error as Error).message);
    } finally {
      this.busy = false;
    }
  }

  /** Ends the connection (a FIN after what was written), destroying it if it lingers. */
  async close(graceMs = 1000): Promise<void> {
    clearTimeout(this.idleTimer);
    const socket = this.socket;
    if (socket === undefined) return;
    if (socket.destroyed) {
      this.drop();
      return;
    }
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.end();
    const timer = setTimeout(() => socket.destroy(), graceMs);
    await closed;
    clearTimeout(timer);
    this.drop();
  }

  private end(): void {
    clearTimeout(this.idleTimer);
    const socket = this.socket;
    this.reset();
    // Half-closed is enough for the server to finish; destroy later in case it never closes its side.
    if (socket !== undefined) {
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    }
  }

  private drop(): void {
    const socket = this.socket;
    this.reset();
    socket?.destroy();
  }

  private reset(): void {
    this.socket = undefined;
    this.broken = undefined;
    this.inbox.length = 0;
    this.splitter = new FrameSplitter({ maxFrameBytes: MAX_REPLY_BYTES });
    this.uses = 0;
  }

  private async open(): Promise<Socket> {
    this.drop();
    const deadline = Date.now() + this.limits.connectTimeoutMs;
    const socket = await this.connect();
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', (error: Error) => this.fail(socket, new ForwardSendError('closed', error.message)));
    socket.on('close', () =>
      this.fail(socket, new ForwardSendError('closed', 'connection closed by the server')),
    );
    // The server closing its side while we wait for an ack is a failure too; let our side close.
    socket.on('end', () => socket.end());
    const config = this.target.handshake;
    if (config !== undefined) {
      const handshake = new ClientHandshake(config);
      try {
        const ping = handshake.ping(await this.next(deadline, 'HELO'));
        await this.write(socket, ping);
        handshake.verify(await this.next(deadline, 'PONG'));
      } catch (error) {
        if (error instanceof ForwardSendError && error.kind !== 'protocol') throw error;
        throw new ForwardSendError('handshake', `handshake failed: ${(error as Error).message}`);
      }
    }
    return socket;
  }

  private connect(): Promise<Socket> {
    const { host, port, unixPath, tls } = this.target;
    const timeoutMs = this.limits.connectTimeoutMs;
    return new Promise<Socket>((resolve, reject) => {
      let socket: Socket;
      let ready: string;
      if (unixPath !== undefined) {
        socket = netConnect({ path: unixPath });
        ready = 'connect';
      } else if (tls !== undefined) {
        socket = tlsConnect({ ...tls, host, port });
        ready = 'secureConnect';
      } else {
        socket = netConnect({ host, port });
        ready = 'connect';
      }
      const where = unixPath ?? `${host}:${port}`;
      const settle = (error: ForwardSendError | undefined): void => {
        clearTimeout(timer);
        socket.off('error', onError);
        socket.off(ready, onReady);
        if (error === undefined) {
          resolve(socket);
        } else {
          // A late error from the abandoned socket must not go unhandled.
          socket.on('error', () => {});
          socket.destroy();
          reject(error);
        }
      };
      const onReady = (): void => settle(undefined);
      const onError = (error: Error): void =>
        settle(new ForwardSendError('connect', `cannot connect to ${where}: ${error.message}`));
      const timer = setTimeout(
        () =>
          settle(new ForwardSendError('timeout', `connecting to ${where} timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.once(ready, onReady);
      socket.once('error', onError);
    });
  }

  private write(socket: Socket, bytes: Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timeoutMs = this.limits.ackTimeoutMs;
      const timer = setTimeout(() => {
        reject(new ForwardSendError('timeout', `write not completed after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.write(bytes, (error) => {
        clearTimeout(timer);
        if (error) reject(new ForwardSendError('closed', `write failed: ${error.message}`));
        else resolve();
      });
    });
  }

  /** The next message from the server, or a rejection at `deadline` or when the connection breaks. */
  private next(deadline: number, what: string): Promise<Uint8Array> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.broken !== undefined) return Promise.reject(this.broken);
    return new Promise<Uint8Array>((resolve, reject) => {
      const ms = Math.max(0, deadline - Date.now());
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new ForwardSendError('timeout', `no ${what} from the server within ${ms} ms`));
      }, ms);
      this.waiter = {
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  private onData(socket: Socket, chunk: Buffer): void {
    if (socket !== this.socket) return;
    let frames: Uint8Array[];
    try {
      frames = this.splitter.push(chunk);
    } catch (error) {
      this.fail(socket, new ForwardSendError('protocol', `unreadable reply: ${(error as Error).message}`));
      socket.destroy();
      return;
    }
    for (const frame of frames) {
      const waiter = this.waiter;
      this.waiter = undefined;
      if (waiter === undefined) this.inbox.push(frame);
      else waiter.resolve(frame);
    }
  }

  private fail(socket: Socket, error: ForwardSendError): void {
    if (socket !== this.socket || this.broken !== undefined) return;
    this.broken = error;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(error);
  }

  private unexpected(reply: Uint8Array | undefined): ForwardSendError {
    if (reply !== undefined && this.target.handshake === undefined) {
      try {
        decodeHelo(reply);
        return new ForwardSendError(
          'handshake',
          'the server asks for the shared-key handshake (HELO): set Shared_Key (or Empty_Shared_Key on)',
        );
      } catch {
        // Not a HELO: reported as below.
      }
    }
    return new ForwardSendError(
      'protocol',
      `unexpected message from the server (${reply?.length ?? 0} bytes)`,
    );
  }
}
