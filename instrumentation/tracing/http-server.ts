// Server spans for incoming HTTP requests. @opentelemetry/instrumentation-http stays on for outgoing
// requests, but its incoming side is replaced by this module because of what it costs per request
// on a small handler (profiled on the inventory example, see the package README): it rebinds the
// request and the response as event emitters to the request's context (patching six methods on
// each, with a listener map), builds some twenty attributes from the URL and headers, and records a
// duration histogram nobody reads here. This keeps what a trace needs:
// - the caller's context from W3C or B3 headers (the configured propagator), and the handler run in
//   the server span's context (so outgoing calls, koa spans and log records join the trace);
// - the RPC metadata the koa instrumentation and `setServerRoute` write the route into, read back
//   when the response closes to name the span `GET /orders/:id`;
// - the stable semantic-convention attributes Zipkin shows (method, path, scheme, route, status,
//   peer address, user agent) and an error status for 5xx answers and aborted requests.
// Listeners added to `req`/`res` are not rebound: they run in the connection's context. Handlers
// written as async functions (koa's) continue in the request's context across `await` anyway.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { otel } from './otel.ts';

export interface HttpServerTracingOptions {
  tracer: Tracer;
  /** Request paths (without the query) that get no span, e.g. health checks. */
  ignorePaths: ReadonlySet<string>;
}

interface RouteMetadata {
  type: unknown;
  span: Span;
  route?: string;
}

interface TracedResponse extends ServerResponse {
  [SERVER_SPAN]?: Span | undefined;
  [ROUTE_METADATA]?: RouteMetadata;
}

const SERVER_SPAN = Symbol('tributary.serverSpan');
const ROUTE_METADATA = Symbol('tributary.routeMetadata');

type Emit = (this: Server, event: string | symbol, ...args: unknown[]) => boolean;

const PATCHED = Symbol.for('tributary.instrumentation.http-server');

interface Patchable {
  emit: Emit;
  [PATCHED]?: Emit | undefined;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Called once per response, on 'close' (after 'finish', or when the client went away first). */
function endServerSpan(this: TracedResponse): void {
  const span = this[SERVER_SPAN];
  if (span === undefined) return;
  this[SERVER_SPAN] = undefined;
  const status = this.statusCode;
  span.setAttribute('http.response.status_code', status);
  const route = this[ROUTE_METADATA]?.route;
  if (route !== undefined) {
    span.setAttribute('http.route', route);
    span.updateName(`${this.req.method ?? 'GET'} ${route}`);
  }
  if (!this.writableFinished) {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: 'the client closed the connection before the response was sent',
    });
  } else if (status >= 500) {
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

function startServerSpan(
  tracer: Tracer,
  req: IncomingMessage,
  res: TracedResponse,
  scheme: string,
): ReturnType<typeof context.active> {
  const { RPCType, setRPCMetadata } = otel.core();
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const attributes: Attributes = {
    'http.request.method': method,
    'url.path': pathOf(url),
    'url.scheme': scheme,
  };
  const peer = req.socket.remoteAddress;
  if (peer !== undefined) attributes['network.peer.address'] = peer;
  const agent = req.headers['user-agent'];
  if (agent !== undefined) attributes['user_agent.original'] = agent;
  const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes }, parent);
  const metadata: RouteMetadata = { type: RPCType.HTTP, span };
  res[SERVER_SPAN] = span;
  res[ROUTE_METADATA] = metadata;
  res.on('close', endServerSpan);
  return setRPCMetadata(trace.setSpan(parent, span), metadata as Parameters<typeof setRPCMetadata>[1]);
}

function patch(target: Patchable, scheme: string, options: HttpServerTracingOptions): void {
  if (target[PATCHED] !== undefined) return;
  const original = target.emit;
  target[PATCHED] = original;
  const { tracer, ignorePaths } = options;
  const { suppressTracing } = otel.core();
  const suppressed = suppressTracing(ROOT_CONTEXT);
  target.emit = function emit(this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'request') return original.apply(this, [event, ...args]);
    const req = args[0] as IncomingMessage;
    const res = args[1] as TracedResponse;
    if (ignorePaths.size > 0 && ignorePaths.has(pathOf(req.url ?? '/'))) {
      return context.with(suppressed, original, this, event, ...args);
    }
    let ctx;
    try {
      ctx = startServerSpan(tracer, req, res, scheme);
    } catch {
      // Tracing must never cost the request: serve it untraced.
      return original.apply(this, [event, ...args]);
    }
    return context.with(ctx, original, this, event, ...args);
  };
}

function unpatch(target: Patchable): void {
  const original = target[PATCHED];
  if (original === undefined) return;
  target.emit = original;
  target[PATCHED] = undefined;
}

/**
 * Starts server spans for every http and https server in the process; returns the undo. Call it
 * after the SDK has started: `http` and `https` are loaded here, not imported at the top, because
 * loading them before @opentelemetry/instrumentation-http hooks them makes it wrap the module twice
 * (two CLIENT spans per outgoing request; a test checks there is one).
 */
export function traceHttpServers(options: HttpServerTracingOptions): () => void {
  const require = createRequire(import.meta.url);
  const servers = [
    [require('node:http') as { Server: { prototype: unknown } }, 'http'],
    [require('node:https') as { Server: { prototype: unknown } }, 'https'],
  ] as const;
  const targets = servers.map(([module, scheme]) => [module.Server.prototype as Patchable, scheme] as const);
  for (const [target, scheme] of targets) patch(target, scheme, options);
  return () => {
    for (const [target] of targets) unpatch(target);
  };
}
