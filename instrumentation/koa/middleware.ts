// koa middleware: one access-log event per request, an error event (with stack) for requests that
// fail with a 5xx, a request id echoed in a response header, and optionally an audit event for each
// mutating request. Events are emitted when the response is done (status and length final), with
// the ids of the span that was active when the request reached this middleware. Use it first.
import { randomUUID } from 'node:crypto';
import { context, trace, type SpanContext } from '@opentelemetry/api';
import type { Context, Middleware, Next } from 'koa';
import type { AuditActor, AuditResource, Auditor } from '../audit/audit.ts';
import type { LogLevel } from '../config.ts';
import type { LogCore } from '../logging/logger.ts';
import { LEVEL_VALUES } from '../logging/levels.ts';
import { errorFields } from '../logging/error-fields.ts';
import type { LogRecord } from '../logging/sink.ts';
import { setServerRoute } from './span-route.ts';

export interface KoaAuditOptions {
  /** The authenticated actor; `undefined` records the actor as `anonymous`. Called after the response. */
  actor: (ctx: Context) => AuditActor | undefined;
  /** Methods audited. Default POST, PUT, PATCH, DELETE. */
  methods?: readonly string[];
  /** Default `<METHOD> <route or path>`, e.g. `POST /orders`. */
  action?: (ctx: Context, route: string | undefined) => string;
  resource?: (ctx: Context) => AuditResource | undefined;
}

export interface KoaMiddlewareOptions {
  /** Request header read for an incoming request id and set on the response. Default `x-request-id`. */
  requestIdHeader?: string;
  /** One event per request. Default true. */
  accessLog?: boolean;
  /** Paths (exact) with no access log, e.g. health probes. */
  ignorePaths?: readonly string[];
  /** The route template; default @koa/router's `ctx._matchedRoute`, else `ctx.state.route`. */
  route?: (ctx: Context) => string | undefined;
  /** Audit events for mutating methods; off unless given. */
  audit?: KoaAuditOptions;
}

export interface MiddlewareDeps {
  core: () => LogCore;
  auditor: () => Auditor;
}

const DEFAULT_AUDIT_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

function defaultRoute(ctx: Context): string | undefined {
  const matched = (ctx as unknown as { _matchedRoute?: unknown })._matchedRoute;
  if (typeof matched === 'string') return matched;
  const route: unknown = ctx.state['route'];
  return typeof route === 'string' ? route : undefined;
}

function statusOf(error: unknown): number {
  const e = error as { status?: unknown; statusCode?: unknown } | null;
  const status = typeof e?.status === 'number' ? e.status : e?.statusCode;
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 500;
}

function levelFor(status: number): LogLevel {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

export function createKoaMiddleware(deps: MiddlewareDeps, options: KoaMiddlewareOptions = {}): Middleware {
  const header = (options.requestIdHeader ?? 'x-request-id').toLowerCase();
  const accessLog = options.accessLog ?? true;
  const ignored = new Set(options.ignorePaths ?? []);
  const routeOf = options.route ?? defaultRoute;
  const audit = options.audit;
  const auditMethods = new Set((audit?.methods ?? DEFAULT_AUDIT_METHODS).map((m) => m.toUpperCase()));

  const httpFields = (ctx: Context, requestId: string, route: string | undefined): LogRecord => {
    const fields: LogRecord = {
      'http.request.method': ctx.method,
      'url.path': ctx.path,
      'http.request.id': requestId,
      'client.ip': ctx.ip,
    };
    if (route !== undefined) fields['http.route'] = route;
    const ua = ctx.get('user-agent');
    if (ua !== '') fields['user_agent.original'] = ua;
    return fields;
  };

  const finish = (ctx: Context, requestId: string, started: number, span: SpanContext | undefined): void => {
    try {
      const core = deps.core();
      const res = ctx.res;
      // Final here: koa (or an error handler) has responded; an error koa turned into a 500 shows as 500.
      const status = res.statusCode;
      const route = routeOf(ctx);
      const durationMs = performance.now() - started;
      if (accessLog && !ignored.has(ctx.path)) {
        const level = levelFor(status);
        if (LEVEL_VALUES[level] >= core.minLevel) {
          const record = httpFields(ctx, requestId, route);
          record['message'] = `${ctx.method} ${ctx.path} ${status} ${durationMs.toFixed(1)} ms`;
          record['log.level'] = level;
          record['http.response.status_code'] = status;
          const length = Number(res.getHeader('content-length'));
          if (Number.isFinite(length)) record['http.response.body.bytes'] = length;
          record['event.duration'] = Math.round(durationMs * 1e6);
          if (!res.writableFinished) record['http.response.aborted'] = true;
          core.emitter.emit('log', record, span);
        }
      }
      if (audit !== undefined && auditMethods.has(ctx.method)) {
        let actor: AuditActor | undefined;
        let resource: AuditResource | undefined;
        let action: string;
        try {
          actor = audit.actor(ctx);
          resource = audit.resource?.(ctx);
          action = audit.action?.(ctx, route) ?? `${ctx.method} ${route ?? ctx.path}`;
        } catch (error) {
          core.emitter.emit('log', {
            message: `audit: the actor, resource or action function threw: ${String(error)}`,
            'log.level': 'error',
            ...errorFields(error),
          });
          return;
        }
        const ip = ctx.ip;
        const userAgent = ctx.get('user-agent');
        deps.auditor().record(
          {
            action,
            outcome: status < 400 ? 'success' : 'failure',
            actor: {
              ...(actor ?? { id: 'anonymous' }),
              ...(actor?.ip === undefined && ip !== '' ? { ip } : {}),
              ...(actor?.userAgent === undefined && userAgent !== '' ? { userAgent } : {}),
            },
            ...(resource !== undefined ? { resource } : {}),
            ...(status >= 400 ? { reason: `HTTP ${status}` } : {}),
            fields: { 'http.request.id': requestId, 'http.response.status_code': status },
          },
          span,
          false,
        );
      }
    } catch {
      // Logging must not fail a request; the counters of the sink say what was lost.
    }
  };

  /** The error event of a request that failed with a 5xx; must not replace the application's error. */
  const logFailure = (
    ctx: Context,
    requestId: string,
    span: SpanContext | undefined,
    error: unknown,
  ): void => {
    try {
      const status = statusOf(error);
      const core = deps.core();
      if (status < 500 || LEVEL_VALUES.error < core.minLevel) return;
      const record = httpFields(ctx, requestId, routeOf(ctx));
      record['message'] =
        `${ctx.method} ${ctx.path} failed: ${error instanceof Error ? error.message : String(error)}`;
      record['log.level'] = 'error';
      record['http.response.status_code'] = status;
      Object.assign(record, errorFields(error));
      core.emitter.emit('log', record, span);
    } catch {
      // the application's error is what matters here
    }
  };

  const nameServerSpan = (ctx: Context): void => {
    try {
      const route = routeOf(ctx);
      if (route !== undefined) setServerRoute(route);
    } catch {
      // naming a span is never worth failing a request
    }
  };

  return async function tributaryMiddleware(ctx: Context, next: Next): Promise<void> {
    const started = performance.now();
    const span = trace.getSpanContext(context.active());
    const incoming = ctx.get(header);
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.set(header, requestId);
    ctx.state['requestId'] = requestId;
    try {
      await next();
      if (span !== undefined) nameServerSpan(ctx);
    } catch (error) {
      if (span !== undefined) nameServerSpan(ctx);
      logFailure(ctx, requestId, span, error);
      throw error;
    } finally {
      const res = ctx.res;
      if (res.destroyed) finish(ctx, requestId, started, span);
      else res.once('close', () => finish(ctx, requestId, started, span));
    }
  };
}
