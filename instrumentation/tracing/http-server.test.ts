import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { setServerRoute } from '../koa/span-route.ts';
import { traceHttpServers } from './http-server.ts';
import { createPropagator } from './propagation.ts';

/** Keeps every ended span, synchronously. */
const ended: ReadableSpan[] = [];
const keep: SpanProcessor = {
  onStart: () => undefined,
  onEnd: (span) => void ended.push(span),
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
const exporter = { getFinishedSpans: () => ended };
const provider = new TracerProvider({ spanProcessors: [keep] });
let untrace: () => void;
let server: Server;
let base: string;
/** What the handler saw as the active span, per request path. */
const activeIn = new Map<string, string | undefined>();

function handler(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '';
  activeIn.set(path, trace.getSpan(context.active())?.spanContext().spanId);
  if (path.startsWith('/orders/')) {
    setServerRoute('/orders/:id');
    res.end('ok');
  } else if (path === '/fail') {
    res.statusCode = 503;
    res.end();
  } else if (path === '/hang') {
    res.write('partial'); // never ends: the client gives up
  } else if (path === '/async') {
    // An async continuation keeps the request's context.
    void sleep(5).then(() => {
      activeIn.set('/async:later', trace.getSpan(context.active())?.spanContext().spanId);
      res.end('later');
    });
  } else {
    res.end('ok');
  }
}

before(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(createPropagator(['tracecontext', 'b3', 'b3multi']));
  untrace = traceHttpServers({ tracer: provider.getTracer('test'), ignorePaths: new Set(['/healthz']) });
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  untrace();
  server.close();
});

async function spanFor(path: string, headers: Record<string, string> = {}): Promise<ReadableSpan> {
  const response = await fetch(`${base}${path}`, { headers: { 'user-agent': 'test-agent', ...headers } });
  await response.arrayBuffer();
  for (let i = 0; i < 100; i++) {
    const span = exporter.getFinishedSpans().find((s) => s.attributes['url.path'] === path.split('?')[0]);
    if (span !== undefined) return span;
    await sleep(10);
  }
  throw new Error(`no span for ${path}`);
}

test('one SERVER span per request, active in the handler, with the stable attributes', async () => {
  const span = await spanFor('/plain?q=secret');
  assert.equal(span.kind, SpanKind.SERVER);
  assert.equal(span.name, 'GET');
  assert.equal(activeIn.get('/plain?q=secret'), span.spanContext().spanId);
  assert.equal(span.attributes['http.request.method'], 'GET');
  assert.equal(span.attributes['url.path'], '/plain', 'the query string stays out');
  assert.equal(span.attributes['url.scheme'], 'http');
  assert.equal(span.attributes['http.response.status_code'], 200);
  assert.equal(span.attributes['network.peer.address'], '127.0.0.1');
  assert.equal(span.attributes['user_agent.original'], 'test-agent');
  assert.equal(span.status.code, SpanStatusCode.UNSET);
});

test('the route the app matched names the span', async () => {
  const span = await spanFor('/orders/17');
  assert.equal(span.name, 'GET /orders/:id');
  assert.equal(span.attributes['http.route'], '/orders/:id');
});

test('W3C and B3 callers are continued', async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const w3c = await spanFor('/w3c', { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
  assert.equal(w3c.spanContext().traceId, traceId);
  assert.equal(w3c.parentSpanContext?.spanId, '00f067aa0ba902b7');
  const b3 = await spanFor('/b3', { b3: `${traceId}-e457b5a2e4d86bd1-1` });
  assert.equal(b3.parentSpanContext?.spanId, 'e457b5a2e4d86bd1');
  const multi = await spanFor('/b3multi', {
    'x-b3-traceid': traceId,
    'x-b3-spanid': 'a2fb4a1d1a96d312',
    'x-b3-sampled': '1',
  });
  assert.equal(multi.parentSpanContext?.spanId, 'a2fb4a1d1a96d312');
});

test('a 5xx answer is an error; an async continuation keeps the span', async () => {
  assert.equal((await spanFor('/fail')).status.code, SpanStatusCode.ERROR);
  const span = await spanFor('/async');
  assert.equal(activeIn.get('/async:later'), span.spanContext().spanId);
});

test('a request the client abandons still ends its span, as an error', async () => {
  await new Promise<void>((resolve) => {
    const req = request(`${base}/hang`, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', () => undefined);
    req.end();
  });
  for (
    let i = 0;
    i < 100 && !exporter.getFinishedSpans().some((s) => s.attributes['url.path'] === '/hang');
    i++
  ) {
    await sleep(10);
  }
  const hang = exporter.getFinishedSpans().find((s) => s.attributes['url.path'] === '/hang');
  assert.ok(hang, 'the span ended');
  assert.equal(hang.status.code, SpanStatusCode.ERROR);
  assert.match(hang.status.message ?? '', /closed the connection/);
});

test('ignored paths get no span, and nothing they call starts a trace', async () => {
  const before = exporter.getFinishedSpans().length;
  const response = await fetch(`${base}/healthz`);
  await response.arrayBuffer();
  await sleep(20);
  assert.equal(exporter.getFinishedSpans().length, before);
  assert.equal(activeIn.get('/healthz'), undefined);
});

test('undo restores the original emit: later requests get no span', async () => {
  untrace();
  const before = exporter.getFinishedSpans().length;
  const response = await fetch(`${base}/after-undo`);
  await response.arrayBuffer();
  await sleep(20);
  assert.equal(exporter.getFinishedSpans().length, before);
  untrace = traceHttpServers({ tracer: provider.getTracer('test'), ignorePaths: new Set() });
});
