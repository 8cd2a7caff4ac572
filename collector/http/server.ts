// The collector's HTTP server (koa): the Zipkin receiver plus Prometheus metrics and Kubernetes probes.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import Koa, { type Context } from 'koa';
import type { Registry } from 'prom-client';
import type { HttpConfig } from './config.ts';

export interface Probes {
  /** Liveness: the process can serve. */
  healthy(): boolean;
  /** Readiness: started, not draining, queue not full; the reason when not. */
  notReadyReason(): string | undefined;
}

export interface HttpServerDeps {
  registry: Registry;
  probes: Probes;
  /** The Zipkin receiver's handler, when enabled. */
  spans?: (ctx: Context) => Promise<void>;
  onUnauthorized?: () => void;
}

function tokenMatches(header: string | undefined, tokens: readonly string[]): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const offered = Buffer.from(header.slice(7).trim());
  return tokens.some((token) => {
    const expected = Buffer.from(token);
    return expected.length === offered.length && timingSafeEqual(expected, offered);
  });
}

export function buildApp(config: HttpConfig, deps: HttpServerDeps): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx) => {
    const { method, path } = ctx;
    if (path === '/healthz' && (method === 'GET' || method === 'HEAD')) {
      ctx.status = deps.probes.healthy() ? 200 : 503;
      ctx.body = ctx.status === 200 ? 'ok\n' : 'unhealthy\n';
      return;
    }
    if (path === '/readyz' && (method === 'GET' || method === 'HEAD')) {
      const reason = deps.probes.notReadyReason();
      ctx.status = reason === undefined ? 200 : 503;
      ctx.body = reason === undefined ? 'ready\n' : `not ready: ${reason}\n`;
      return;
    }
    if (path === '/metrics' && method === 'GET') {
      ctx.type = deps.registry.contentType;
      ctx.body = await deps.registry.metrics();
      return;
    }
    if (path === '/api/v2/spans' && deps.spans !== undefined) {
      if (method !== 'POST') {
        ctx.status = 405;
        ctx.set('Allow', 'POST');
        ctx.body = 'use POST\n';
        return;
      }
      if (
        config.bearer_tokens.length > 0 &&
        !tokenMatches(ctx.get('authorization') || undefined, config.bearer_tokens)
      ) {
        deps.onUnauthorized?.();
        ctx.status = 401;
        ctx.set('WWW-Authenticate', 'Bearer');
        ctx.body = 'a valid bearer token is required\n';
        return;
      }
      await deps.spans(ctx);
      return;
    }
    ctx.status = 404;
    ctx.body = 'not found\n';
  });
  return app;
}

export async function listen(config: HttpConfig, app: Koa): Promise<Server> {
  const handler = app.callback();
  const server = config.tls
    ? createHttpsServer(
        { cert: readFileSync(config.tls.cert_file), key: readFileSync(config.tls.key_file) },
        handler,
      )
    : createHttpServer(handler);
  // Slow-loris guard: a client gets this long to send its headers and body.
  server.headersTimeout = 30_000;
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.listen, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
