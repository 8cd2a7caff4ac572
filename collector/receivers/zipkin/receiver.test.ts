import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { buildApp, listen } from '../../http/server.ts';
import { httpConfigSchema } from '../../http/config.ts';
import { createMetrics } from '../../telemetry/metrics.ts';
import { zipkinReceiverConfigSchema } from './config.ts';
import { spansProblem, zipkinReceiver } from './receiver.ts';

class FullError extends Error {}

const span = (i: number) => ({
  traceId: '463ac35c9f6413ad48485a3953bb6124',
  id: (0x1000 + i).toString(16).padStart(16, '0'),
  name: 'get /orders',
  kind: 'SERVER',
  timestamp: 1_700_000_000_000_000 + i,
  duration: 1200,
  localEndpoint: { serviceName: 'orders' },
});

async function start(
  t: { after(fn: () => Promise<void>): void },
  overrides: { receiver?: object; http?: object } = {},
) {
  const appended: { body: Buffer; count: number }[] = [];
  const state = { full: false, failFull: false };
  const metrics = createMetrics({ defaultMetrics: false });
  const config = zipkinReceiverConfigSchema.parse({
    max_body_bytes: 64 * 1024,
    max_decompressed_bytes: 256 * 1024,
    max_spans: 100,
    ...overrides.receiver,
  });
  const http = httpConfigSchema.parse({ port: 0, listen: '127.0.0.1', ...overrides.http });
  const app = buildApp(http, {
    registry: metrics.registry,
    probes: { healthy: () => true, notReadyReason: () => undefined },
    spans: zipkinReceiver(config, {
      metrics,
      isQueueFullError: (e) => e instanceof FullError,
      consumer: {
        isFull: () => state.full,
        appendSpans: async (body, count) => {
          if (state.failFull) throw new FullError('full');
          appended.push({ body, count });
        },
      },
    }),
  });
  const server: Server = await listen(http, app);
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/v2/spans`;
  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { appended, state, metrics, post, url };
}

test('valid spans are answered 202 only after they were appended, body kept as received', async (t) => {
  const { appended, post, metrics } = await start(t);
  const body = JSON.stringify([span(1), span(2)]);
  const response = await post(body);
  assert.equal(response.status, 202);
  assert.equal(appended.length, 1);
  assert.equal(appended[0]?.count, 2);
  assert.equal(appended[0]?.body.toString(), body);
  assert.match(
    await metrics.registry.metrics(),
    /tributary_collector_received_total\{receiver="zipkin",signal="spans"\} 2/,
  );
  assert.equal((await post('[]')).status, 202, 'an empty list is accepted, as Zipkin does');
});

test('gzip bodies are accepted; a gzip bomb answers 413; corrupt gzip 400', async (t) => {
  const { appended, post } = await start(t);
  const body = JSON.stringify([span(3)]);
  assert.equal((await post(gzipSync(body), { 'content-encoding': 'gzip' })).status, 202);
  assert.equal(appended[0]?.body.toString(), body);
  const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20));
  assert.ok(bomb.length < 64 * 1024);
  const boom = await post(bomb, { 'content-encoding': 'gzip' });
  assert.equal(boom.status, 413);
  assert.match(await boom.text(), /inflates past the limit/);
  const corrupt = await post(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' });
  assert.equal(corrupt.status, 400);
  assert.match(await corrupt.text(), /gzip body is corrupt/);
  assert.equal((await post(body, { 'content-encoding': 'br' })).status, 415);
});

test('malformed bodies get 400 naming the bad span and field; nothing is appended', async (t) => {
  const { appended, post, metrics } = await start(t);
  const cases: [string, RegExp][] = [
    ['{not json', /body is not valid JSON/],
    ['{"traceId":"a"}', /body must be a JSON array/],
    [JSON.stringify([span(1), { ...span(2), traceId: 'xyz' }]), /span\[1\]: traceId/],
    [JSON.stringify([{ ...span(1), id: '' }]), /span\[0\]: id/],
    [JSON.stringify([{ ...span(1), timestamp: 'yesterday' }]), /span\[0\]: timestamp/],
    [JSON.stringify([{ ...span(1), duration: -5 }]), /span\[0\]: duration/],
    [JSON.stringify([{ ...span(1), kind: 'SIDEWAYS' }]), /span\[0\]: kind/],
    [JSON.stringify([{ ...span(1), tags: { a: { nested: true } } }]), /span\[0\]: tags/],
    [JSON.stringify([span(1)]).slice(0, 40), /not valid JSON/],
  ];
  for (const [body, reason] of cases) {
    const response = await post(body);
    assert.equal(response.status, 400, body);
    assert.match(await response.text(), reason);
  }
  assert.equal(appended.length, 0);
  assert.match(
    await metrics.registry.metrics(),
    /tributary_collector_rejected_total\{receiver="zipkin",reason="invalid_span"\} 7/,
  );
});

test('oversized bodies and too many spans answer 413; wrong content type 415', async (t) => {
  const { post, appended } = await start(t);
  const big = JSON.stringify(Array.from({ length: 90 }, (_, i) => ({ ...span(i), name: 'x'.repeat(1000) })));
  assert.ok(big.length > 64 * 1024);
  const tooBig = await post(big);
  assert.equal(tooBig.status, 413);
  const tooMany = await post(JSON.stringify(Array.from({ length: 101 }, (_, i) => span(i))));
  assert.equal(tooMany.status, 413);
  assert.match(await tooMany.text(), /too many spans: 101 > 100/);
  const proto = await post(Buffer.from([1, 2, 3]), { 'content-type': 'application/x-protobuf' });
  assert.equal(proto.status, 415);
  assert.equal(appended.length, 0);
});

test('a full queue answers 503 with Retry-After, before and after reading the body', async (t) => {
  const { post, state } = await start(t);
  state.full = true;
  const early = await post(JSON.stringify([span(1)]));
  assert.equal(early.status, 503);
  assert.equal(early.headers.get('retry-after'), '5');
  state.full = false;
  state.failFull = true;
  const late = await post(JSON.stringify([span(1)]));
  assert.equal(late.status, 503);
  assert.equal(late.headers.get('retry-after'), '5');
});

test('bearer tokens guard the receiver when configured; probes stay open', async (t) => {
  const token = 'a-sufficiently-long-token';
  const { post, url } = await start(t, { http: { bearer_tokens: [token] } });
  assert.equal((await post(JSON.stringify([span(1)]))).status, 401);
  assert.equal(
    (await post(JSON.stringify([span(1)]), { authorization: 'Bearer wrong-token-of-same-size' })).status,
    401,
  );
  assert.equal((await post(JSON.stringify([span(1)]), { authorization: `Bearer ${token}` })).status, 202);
  assert.equal((await fetch(url.replace('/api/v2/spans', '/healthz'))).status, 200);
  assert.equal((await fetch(url)).status, 405);
});

test('spansProblem is the validation used by the receiver', () => {
  assert.equal(spansProblem([span(1)], 10), 1);
  assert.match(String(spansProblem({}, 10)), /JSON array/);
  assert.match(String(spansProblem([null], 10)), /span\[0\]/);
});
