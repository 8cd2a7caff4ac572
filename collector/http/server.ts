// The collector's HTTP server (koa): the Zipkin receiver plus Prometheus metrics and Kubernetes probes.
import type { Server } from 'node:http';
import Koa, { type Context } from 'koa';
import type { Registry } from 'prom-client';
import { bearerMatch, listenHttp, serveOperations } from '../../common/http/index.ts';
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

export function buildApp(config: HttpConfig, deps: HttpServerDeps): Koa {
  const tokens = config.bearer_tokens.map((token) => ({ secret: Buffer.from(token) }));
  const operations = {
    registry: deps.registry,
    healthy: () => deps.probes.healthy(),
    notReadyReason: () => deps.probes.notReadyReason(),
  };
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx) => {
    if (await serveOperations(ctx, operations)) return;
    if (ctx.path === '/api/v2/spans' && deps.spans !== undefined) {
      if (ctx.method !== 'POST') {
        ctx.status = 405;
        ctx.set('Allow', 'POST');
        ctx.body = 'use POST\n';
        return;
      }
      if (tokens.length > 0 && bearerMatch(ctx.get('authorization') || undefined, tokens) === undefined) {
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

export function listen(config: HttpConfig, app: Koa): Promise<Server> {
  return listenHttp(config, app.callback(), { requestTimeoutMs: 120_000 });
}
