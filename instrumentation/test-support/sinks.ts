// Stand-ins for the collector in unit tests: a Zipkin v2 endpoint that keeps the spans it is sent,
// and a Forward server (the project's own, from common/forward) that keeps and acks the records.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ForwardServer } from '../../common/forward/index.ts';

export interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: string;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export class ZipkinSink {
  readonly spans: ZipkinSpan[] = [];
  readonly #server: Server;

  private constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/api/v2/spans' && req.method === 'POST') {
          this.spans.push(...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ZipkinSpan[]));
          res.statusCode = 202;
        } else {
          res.statusCode = 404;
        }
        res.end();
      });
    });
  }

  static async start(): Promise<ZipkinSink> {
    const sink = new ZipkinSink();
    await new Promise<void>((resolve) => sink.#server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/api/v2/spans`;
  }

  trace(traceId: string): ZipkinSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

export interface ReceivedRecord {
  tag: string;
  time: { seconds: number; nanoseconds: number };
  record: Record<string, unknown>;
}

export class ForwardSinkServer {
  readonly records: ReceivedRecord[] = [];
  /** Bytes of the largest event stream (chunk) received. */
  largestChunk = 0;
  /** Set to hold acks back (simulating a stalled agent). */
  holdAcks: Promise<void> | undefined;
  readonly #server: ForwardServer;

  private constructor(port: number) {
    this.#server = new ForwardServer({
      host: '127.0.0.1',
      port,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      onFrame: async (frame) => {
        if (this.holdAcks !== undefined) await this.holdAcks;
        this.largestChunk = Math.max(this.largestChunk, frame.eventStream().length);
        for (const entry of frame.decodeEntries()) {
          this.records.push({ tag: entry.tag, time: entry.time, record: entry.record });
        }
      },
    });
  }

  static async start(port = 0): Promise<ForwardSinkServer> {
    const sink = new ForwardSinkServer(port);
    await sink.#server.start();
    return sink;
  }

  get port(): number {
    return this.#server.address?.port ?? 0;
  }

  byTag(tag: string): ReceivedRecord[] {
    return this.records.filter((r) => r.tag === tag);
  }

  async stop(): Promise<void> {
    await this.#server.close(100);
  }
}
