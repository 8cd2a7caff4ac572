// The forward output: delivers each chunk as one frame to one node (the single Host/Port, or the
// Upstream's nodes in turn), failing over once to the next node when that one fails. Retrying the
// chunk later is the engine's job: a failure here is just `retry`.
import type { ClientHandshakeConfig } from '../../../common/forward/index.ts';
import type { Logger } from '../../../common/log/logger.ts';
import { eventCount } from '../../engine/types.ts';
import type { Chunk, FlushResult, OutputFactory, OutputPlugin } from '../../engine/types.ts';
import { forwardOutputConfig } from './config.ts';
import { ForwardConnection, ForwardSendError } from './connection.ts';
import type { ConnectionLimits, ConnectionTarget } from './connection.ts';
import { ForwardEncoder } from './encode.ts';
import type { EncodedChunk } from './encode.ts';
import { tlsConnectOptions } from './tls.ts';
import type { ForwardNode, ForwardOutputConfig, ForwardSettings } from './types.ts';
import { NodeRotation } from './upstream.ts';

interface Target {
  readonly node: ForwardNode;
  readonly connection: ConnectionTarget;
}

/** One flush at a time: its own scratch buffer and its own connection to each node. */
interface Worker {
  readonly encoder: ForwardEncoder;
  readonly connections: Map<Target, ForwardConnection>;
}

export class ForwardOutput implements OutputPlugin {
  readonly config: ForwardOutputConfig;
  private readonly logger: Logger;
  private readonly limits: ConnectionLimits;
  private readonly rotation: NodeRotation<Target>;
  private readonly workers: readonly Worker[];
  private readonly idle: Worker[];
  private readonly waiting: ((worker: Worker) => void)[] = [];
  private stopped = false;

  /** Reads the TLS files; throws AgentConfigError when one cannot be read. */
  constructor(config: ForwardOutputConfig, logger: Logger) {
    this.config = config;
    this.logger = logger;
    this.limits = {
      connectTimeoutMs: config.connectTimeoutMs,
      ackTimeoutMs: config.ackTimeoutMs,
      keepalive: config.keepalive,
      idleTimeoutMs: config.keepaliveIdleTimeoutMs,
      maxRecycle: config.keepaliveMaxRecycle,
    };
    const targets = config.nodes.map((node): Target => ({
      node,
      connection: {
        host: node.host,
        port: node.port,
        unixPath: node.unixPath,
        tls: tlsConnectOptions(node),
        handshake: handshakeConfig(node.settings),
      },
    }));
    this.rotation = new NodeRotation(targets, {
      baseDelayMs: config.nodeRetryBaseMs,
      maxDelayMs: config.nodeRetryMaxMs,
    });
    this.workers = Array.from({ length: config.workers }, () => ({
      encoder: new ForwardEncoder(),
      connections: new Map<Target, ForwardConnection>(),
    }));
    this.idle = [...this.workers];
  }

  /** Connections are made by the first flush, as Fluent Bit does: a server down at start is no error. */
  start(): Promise<void> {
    this.stopped = false;
    this.logger.info('forward output started', {
      upstream: this.config.upstreamName,
      nodes: this.config.nodes.map((n) => n.name).join(','),
      workers: this.config.workers,
    });
    return Promise.resolve();
  }

  async flush(chunk: Chunk): Promise<FlushResult> {
    if (eventCount(chunk) === 0) return 'ok';
    if (this.stopped) return 'retry';
    const worker = await this.acquire();
    try {
      const first = this.rotation.pick();
      if (first === undefined) return 'retry';
      const result = await this.attempt(worker, first, chunk);
      if (result !== 'failed') return result;
      const second = this.rotation.pick(first);
      if (second === undefined) return 'retry';
      const again = await this.attempt(worker, second, chunk);
      return again === 'failed' ? 'retry' : again;
    } finally {
      this.release(worker);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const open = this.workers.flatMap((w) => [...w.connections.values()]);
    await Promise.all(open.map((c) => c.close()));
    for (const w of this.workers) w.connections.clear();
  }

  private async attempt(worker: Worker, target: Target, chunk: Chunk): Promise<FlushResult | 'failed'> {
    const node = target.node;
    let encoded: EncodedChunk;
    try {
      encoded = await worker.encoder.encode(chunk, node.settings);
    } catch (error) {
      // A record msgpack cannot represent never will: retrying would only block the queue.
      this.logger.error('cannot encode chunk; dropping it', { tag: chunk.tag, error: String(error) });
      return 'error';
    }
    let connection = worker.connections.get(target);
    if (connection === undefined) {
      connection = new ForwardConnection(target.connection, this.limits);
      worker.connections.set(target, connection);
    }
    try {
      await connection.send(encoded.frame, encoded.chunkId);
    } catch (error) {
      const skipMs = this.rotation.failed(target);
      this.logger.warn('forward send failed', {
        node: node.name,
        kind: error instanceof ForwardSendError ? error.kind : 'internal',
        error: error instanceof Error ? error.message : String(error),
        ...(this.config.nodes.length > 1 ? { skipMs } : {}),
      });
      return 'failed';
    }
    const failures = this.rotation.succeeded(target);
    if (failures > 0) this.logger.info('forward node is back', { node: node.name, failures });
    return 'ok';
  }

  private acquire(): Promise<Worker> {
    // Last in, first out: a light load keeps reusing one warm connection; the others idle out.
    const worker = this.idle.pop();
    if (worker !== undefined) return Promise.resolve(worker);
    return new Promise<Worker>((resolve) => this.waiting.push(resolve));
  }

  private release(worker: Worker): void {
    const next = this.waiting.shift();
    if (next === undefined) this.idle.push(worker);
    else next(worker);
  }
}

function handshakeConfig(s: ForwardSettings): ClientHandshakeConfig | undefined {
  const sharedKey = s.emptySharedKey ? '' : s.sharedKey;
  if (sharedKey === undefined) return undefined;
  return {
    sharedKey,
    selfHostname: s.selfHostname,
    ...(s.username === undefined ? {} : { username: s.username }),
    ...(s.password === undefined ? {} : { password: s.password }),
  };
}

/** The `forward` output factory; throws AgentConfigError for a bad Upstream file or TLS file. */
export const createForwardOutput: OutputFactory = (instance, ctx) =>
  new ForwardOutput(
    forwardOutputConfig(instance, ctx.config.file),
    ctx.logger.child({ output: instance.instanceName }),
  );
