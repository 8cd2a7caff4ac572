import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Koa from 'koa';
import { Auditor } from '../audit/audit.ts';
import { memoryCore } from '../test-support/memory-sink.ts';
import { waitFor } from '../test-support/sinks.ts';
import { createKoaMiddleware, type KoaMiddlewareOptions } from './middleware.ts';

let server: Server | undefined;
after(() => server?.close());

async function serve(
  options: KoaMiddlewareOptions,
  environment: 'development' | 'production' = 'development',
) {
  const { sink, core, emitter } = memoryCore('info');
  const auditor = new Auditor(() => emitter, environment);
  const app = new Koa();
  app.silent = true;
  app.use(createKoaMiddleware({ core: () => core, auditor: () => auditor }, options));
  app.use(async (ctx) => {
    ctx.state['route'] = ctx.path.startsWith('/orders') ? '/orders/:id' : undefined;
    if (ctx.headers['x-user-id'] !== undefined)
      ctx.state['user'] = { id: ctx.get('x-user-id'), roles: ['clerk'] };
    if (ctx.path === '/boom') throw new Error('database unreachable');
    if (ctx.path === '/missing') ctx.throw(404, 'no such thing');
    if (ctx.path === '/forbidden') ctx.throw(403);
    ctx.status = ctx.method === 'POST' ? 201 : 200;
    ctx.body = { ok: true };
  });
  server?.close();
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server?.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { sink, auditor, base };
}

test('one access-log event per request, with the ECS http fields and the request id echoed', async () => {
  const { sink, base } = await serve({});
  const response = await fetch(`${base}/orders/7?secret=1`, {
    headers: { 'user-agent': 'probe/1', 'x-request-id': 'req-abc' },
  });
  assert.equal(response.headers.get('x-request-id'), 'req-abc');
  const r = await waitFor('the access log', () => sink.records[0]);
  assert.equal(
    r['message'] !== undefined && /^GET \/orders\/7 200 \d+\.\d ms$/.test(String(r['message'])),
    true,
  );
  assert.equal(r['log.level'], 'info');
  assert.equal(r['http.request.method'], 'GET');
  assert.equal(r['url.path'], '/orders/7', 'no query string (it may hold secrets)');
  assert.equal(r['http.route'], '/orders/:id');
  assert.equal(r['http.response.status_code'], 200);
  assert.equal(r['http.response.body.bytes'], 11);
  assert.equal(r['http.request.id'], 'req-abc');
  assert.equal(r['client.ip'], '127.0.0.1');
  assert.equal(r['user_agent.original'], 'probe/1');
  assert.ok(typeof r['event.duration'] === 'number' && r['event.duration'] > 0);
  assert.equal(sink.records.length, 1);
});

test('a missing or unusable incoming request id is replaced by a fresh one', async () => {
  const { base } = await serve({ requestIdHeader: 'X-Correlation-Id' });
  const fresh = await fetch(`${base}/a`);
  assert.match(fresh.headers.get('x-correlation-id') ?? '', /^[0-9a-f-]{36}$/);
  const bad = await fetch(`${base}/a`, { headers: { 'x-correlation-id': 'a'.repeat(200) } });
  assert.match(bad.headers.get('x-correlation-id') ?? '', /^[0-9a-f-]{36}$/);
});

test('a 5xx failure gives an error event with the stack; 4xx only a warning access log', async () => {
  const { sink, base } = await serve({});
  assert.equal((await fetch(`${base}/boom`)).status, 500);
  assert.equal((await fetch(`${base}/missing`)).status, 404);
  await waitFor('three events', () => sink.records.length === 3 || undefined);
  const [error, access500, access404] = sink.records;
  assert.equal(error?.['log.level'], 'error');
  assert.equal(error?.['message'], 'GET /boom failed: database unreachable');
  assert.equal(error?.['error.type'], 'Error');
  assert.match(String(error?.['error.stack_trace']), /database unreachable\n\s+at /);
  assert.equal(access500?.['http.response.status_code'], 500);
  assert.equal(access500?.['log.level'], 'error');
  assert.equal(access404?.['log.level'], 'warn');
  assert.equal(access404?.['error.type'], undefined);
});

test('audit: mutating requests get an audit event, actor from the function, outcome from the status', async () => {
  const { sink, base } = await serve({
    ignorePaths: ['/healthz'],
    audit: { actor: (ctx) => ctx.state['user'] as { id: string } | undefined },
  });
  await fetch(`${base}/orders/9`, { method: 'POST', headers: { 'x-user-id': 'u-1', 'x-request-id': 'r-9' } });
  await fetch(`${base}/forbidden`, { method: 'DELETE', headers: { 'x-user-id': 'u-2' } });
  await fetch(`${base}/orders/9`, { method: 'PUT' });
  await fetch(`${base}/orders/9`);
  await fetch(`${base}/healthz`, { method: 'POST' });
  await waitFor('all events', () => sink.events.filter((e) => e.kind === 'audit').length === 4 || undefined);
  const audits = sink.events.filter((e) => e.kind === 'audit').map((e) => e.record);
  const [created, denied, anonymous, health] = audits;
  assert.equal(created?.['event.action'], 'POST /orders/:id');
  assert.equal(created?.['event.outcome'], 'success');
  assert.equal(created?.['user.id'], 'u-1');
  assert.deepEqual(created?.['user.roles'], ['clerk']);
  assert.equal(created?.['source.ip'], '127.0.0.1');
  assert.equal(created?.['http.request.id'], 'r-9');
  assert.equal(created?.['audit'], true);
  assert.equal(denied?.['event.outcome'], 'failure');
  assert.equal(denied?.['audit.reason'], 'HTTP 403');
  assert.equal(denied?.['event.action'], 'DELETE /forbidden');
  assert.equal(anonymous?.['user.id'], 'anonymous');
  assert.equal(health?.['event.action'], 'POST /healthz', 'ignorePaths only silences the access log');
  assert.equal(
    sink.records.filter((r) => r['http.request.method'] === 'GET' && r['audit'] === true).length,
    0,
  );
  assert.equal(sink.events.filter((e) => e.kind === 'log').length, 4, 'access logs, /healthz excluded');
});

test('audit: a throwing actor function or an invalid actor is logged, never fails the request', async () => {
  const { sink, auditor, base } = await serve({ audit: { actor: () => ({ id: '' }) } }, 'development');
  assert.equal((await fetch(`${base}/x`, { method: 'POST' })).status, 201);
  await waitFor('the rejection', () =>
    sink.records.find((r) => String(r['message']).startsWith('audit event rejected')),
  );
  assert.equal(auditor.stats.rejected, 1);

  const thrower = await serve({
    audit: {
      actor: () => {
        throw new Error('no session store');
      },
    },
  });
  assert.equal((await fetch(`${thrower.base}/x`, { method: 'PATCH' })).status, 200);
  const logged = await waitFor('the error', () =>
    thrower.sink.records.find((r) => r['log.level'] === 'error'),
  );
  assert.match(
    String(logged['message']),
    /actor, resource or action function threw: Error: no session store/,
  );
});
