// The audit service's HTTP server (koa): the read-only query API behind bearer tokens, plus
// Prometheus metrics and probes, which stay open for the kubelet and the scraper.
import type { Server } from 'node:http';
import type { Client } from '@elastic/elasticsearch';
import type { KeyObject } from 'node:crypto';
import Koa from 'koa';
import type { Context } from 'koa';
import { bearerMatch, listenHttp, serveOperations } from '../../common/http/index.ts';
import type { Logger } from '../../common/log/logger.ts';
import type { AuditConfig } from '../config.ts';
import type { AuditStreams } from '../store/names.ts';
import type { AuditMetrics } from '../telemetry/metrics.ts';
import { verifyTrail } from '../verify/verify.ts';
import { alertSearchSchema, eventSearchSchema, parseQuery, verifySchema } from './params.ts';
import { getEvent, searchAlerts, searchEvents } from './queries.ts';

export interface ApiDeps {
  readonly config: AuditConfig;
  readonly client: Client;
  readonly streams: AuditStreams;
  readonly publicKey: KeyObject | undefined;
  readonly metrics: AuditMetrics;
  readonly logger: Logger;
  readonly healthy: () => boolean;
  readonly notReadyReason: () => string | undefined;
}

interface Token {
  readonly name: string;
  readonly secret: Buffer;
  readonly roles: readonly string[];
}

function send(ctx: Context, status: number, body: unknown): void {
  ctx.status = status;
  ctx.body = body;
}

export function buildApiApp(deps: ApiDeps): Koa {
  const { config, client, streams, metrics } = deps;
  const tokens: Token[] = config.api.tokens.map((t) => ({
    name: t.name,
    secret: Buffer.from(t.token),
    roles: t.roles,
  }));
  const maxSize = config.api.max_page_size;
  const events = eventSearchSchema(maxSize);
  const alerts = alertSearchSchema(maxSize);
  const operations = {
    registry: metrics.registry,
    healthy: deps.healthy,
    notReadyReason: deps.notReadyReason,
  };
  const app = new Koa();
  app.silent = true;

  const route = (ctx: Context): string => {
    const p = ctx.path;
    if (p.startsWith('/api/v1/events/')) return '/api/v1/events/:id';
    return ['/healthz', '/readyz', '/metrics', '/api/v1/events', '/api/v1/alerts', '/api/v1/verify'].includes(
      p,
    )
      ? p
      : 'other';
  };

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      deps.logger.error('API request failed', { path: ctx.path, error: message });
      send(ctx, 502, { error: 'Elasticsearch request failed', detail: message });
    } finally {
      metrics.api.inc({ route: route(ctx), status: String(ctx.status) });
    }
  });

  app.use(async (ctx) => {
    const { method, path } = ctx;
    if (method !== 'GET' && method !== 'HEAD') {
      ctx.set('Allow', 'GET, HEAD');
      return send(ctx, 405, { error: 'the audit API is read-only: use GET' });
    }
    if (await serveOperations(ctx, operations)) return;
    if (!path.startsWith('/api/v1/')) return send(ctx, 404, { error: 'not found' });

    const token = bearerMatch(ctx.get('authorization') || undefined, tokens);
    if (token === undefined) {
      ctx.set('WWW-Authenticate', 'Bearer');
      return send(ctx, 401, { error: 'a valid bearer token is required' });
    }
    if (!token.roles.includes('auditor')) return send(ctx, 403, { error: 'the auditor role is required' });
    const signal = AbortSignal.timeout(config.elasticsearch.request_timeout * 4);
    const query = ctx.query;

    if (path === '/api/v1/events') {
      const p = parseQuery(events, query);
      if (!p.ok) return send(ctx, 400, { error: p.problem });
      return send(ctx, 200, await searchEvents(client, streams, p.value, signal));
    }
    if (path.startsWith('/api/v1/events/')) {
      if (Object.keys(query).length > 0)
        return send(ctx, 400, { error: 'this endpoint takes no parameters' });
      let id: string;
      try {
        id = decodeURIComponent(path.slice('/api/v1/events/'.length));
      } catch {
        return send(ctx, 400, { error: 'malformed event id' });
      }
      if (id === '' || id.length > 512 || id.includes('/'))
        return send(ctx, 400, { error: 'malformed event id' });
      const doc = await getEvent(client, streams, id, signal);
      return doc === undefined ? send(ctx, 404, { error: `no event ${id}` }) : send(ctx, 200, doc);
    }
    if (path === '/api/v1/alerts') {
      const p = parseQuery(alerts, query);
      if (!p.ok) return send(ctx, 400, { error: p.problem });
      return send(ctx, 200, await searchAlerts(client, streams, p.value, signal));
    }
    if (path === '/api/v1/verify') {
      const p = parseQuery(verifySchema, query);
      if (!p.ok) return send(ctx, 400, { error: p.problem });
      const { from, to, partition } = p.value;
      if (typeof from === 'number' && typeof to === 'number' && to < from)
        return send(ctx, 400, { error: '`to` is below `from`' });
      deps.logger.info('verify requested', { by: token.name, partition, from, to });
      const report = await verifyTrail(client, streams, {
        topic: config.kafka.topic,
        partition,
        from,
        to,
        publicKey: deps.publicKey,
        maxEvents: config.api.verify_max_events,
      });
      return send(ctx, 200, report);
    }
    return send(ctx, 404, { error: 'not found' });
  });
  return app;
}

export function listenApi(config: AuditConfig['api'], app: Koa): Promise<Server> {
  // Longer than the collector's: a verify walks up to `verify_max_events` before it answers.
  return listenHttp(config, app.callback(), { requestTimeoutMs: 300_000 });
}
