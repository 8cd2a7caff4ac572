// What the collector's and the audit service's HTTP servers share: binding (HTTP or HTTPS, with
// slow-client limits), closing without keep-alive sockets holding it open, bearer tokens compared
// in constant time, and the operations endpoints the kubelet and Prometheus call.
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Registry } from 'prom-client';
import type { HttpListenConfig } from './config.ts';

export interface ListenOptions {
  /** The longest a request may take to arrive whole, headers and body. */
  readonly requestTimeoutMs: number;
}

/** Serves `handler` on `config.listen:config.port`, over TLS when `config.tls` is set. */
export async function listenHttp(
  config: HttpListenConfig,
  handler: RequestListener,
  options: ListenOptions,
): Promise<Server> {
  const server = config.tls
    ? createHttpsServer(
        { cert: readFileSync(config.tls.cert_file), key: readFileSync(config.tls.key_file) },
        handler,
      )
    : createHttpServer(handler);
  // Slow-loris guard: a client gets this long to send its headers, and the whole request.
  server.headersTimeout = 30_000;
  server.requestTimeout = options.requestTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.listen, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/**
 * Stops accepting and resolves once every connection is gone. Keep-alive sockets would hold
 * `close()` open: idle ones end now, ones with a request in flight after `graceMs`.
 */
export function closeHttpServer(server: Server, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    if (graceMs <= 0) server.closeAllConnections();
    else setTimeout(() => server.closeAllConnections(), graceMs).unref();
  });
}

/**
 * The token an `Authorization: Bearer <secret>` header carries, or undefined. Every token is
 * compared, each in constant time, so the timing tells nothing about which one matched.
 */
export function bearerMatch<T extends { readonly secret: Buffer }>(
  header: string | undefined,
  tokens: readonly T[],
): T | undefined {
  if (header === undefined || !header.startsWith('Bearer ')) return undefined;
  const offered = Buffer.from(header.slice(7).trim());
  let found: T | undefined;
  for (const t of tokens)
    if (t.secret.length === offered.length && timingSafeEqual(t.secret, offered)) found = t;
  return found;
}

export interface Operations {
  readonly registry: Registry;
  /** Liveness: the process can serve. */
  healthy(): boolean;
  /** Readiness; the reason when not ready. */
  notReadyReason(): string | undefined;
}

/** The parts of a koa `Context` the operations endpoints use (common does not depend on koa). */
export interface OperationsContext {
  readonly method: string;
  readonly path: string;
  status: number;
  body: unknown;
  type: string;
}

/** Answers `GET`/`HEAD` `/healthz`, `/readyz` and `/metrics`; false (untouched) for anything else. */
export async function serveOperations(ctx: OperationsContext, ops: Operations): Promise<boolean> {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return false;
  if (ctx.path === '/healthz') {
    const healthy = ops.healthy();
    ctx.status = healthy ? 200 : 503;
    ctx.body = healthy ? 'ok\n' : 'unhealthy\n';
  } else if (ctx.path === '/readyz') {
    const reason = ops.notReadyReason();
    ctx.status = reason === undefined ? 200 : 503;
    ctx.body = reason === undefined ? 'ready\n' : `not ready: ${reason}\n`;
  } else if (ctx.path === '/metrics') {
    ctx.type = ops.registry.contentType;
    ctx.body = await ops.registry.metrics();
  } else return false;
  return true;
}
