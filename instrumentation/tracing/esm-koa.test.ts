// The orders example (an ES module that imports koa) run as a deployment runs it:
// node --import .../register. Spans reach a Zipkin endpoint; trace context comes in as W3C, B3
// single or B3 multi and goes out in all three.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startChild, type Child } from '../test-support/child.ts';
import { ForwardSinkServer, ZipkinSink, waitFor, type ZipkinSpan } from '../test-support/sinks.ts';

let zipkin: ZipkinSink;
let agent: ForwardSinkServer;
let inventory: Server;
let orders: Child;
const seen: IncomingHttpHeaders[] = [];

before(async () => {
  zipkin = await ZipkinSink.start();
  agent = await ForwardSinkServer.start();
  // Stands in for the inventory service and keeps the headers it was sent.
  inventory = createServer((req, res) => {
    seen.push(req.headers);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ available: 5 }));
  });
  await new Promise<void>((resolve) => inventory.listen(0, '127.0.0.1', resolve));
  orders = await startChild('examples/orders.ts', {
    env: {
      OTEL_SERVICE_NAME: 'orders',
      PORT: '0',
      INVENTORY_URL: `http://127.0.0.1:${(inventory.address() as AddressInfo).port}`,
      TRIBUTARY_ZIPKIN_URL: zipkin.url,
      TRIBUTARY_FORWARD_PORT: String(agent.port),
      OTEL_BSP_SCHEDULE_DELAY: '50',
      // The app routes by hand (no @koa/router layers), so middleware spans show koa is patched.
      TRIBUTARY_KOA_MIDDLEWARE_SPANS: 'true',
      K8S_POD_NAME: 'orders-5c9-x2',
      K8S_NAMESPACE_NAME: 'shop',
      K8S_NODE_NAME: 'node-1',
    },
  });
});

after(async () => {
  await orders?.stop();
  inventory?.close();
  await zipkin?.stop();
  await agent?.stop();
});

async function call(
  headers: Record<string, string>,
): Promise<{ spans: ZipkinSpan[]; outgoing: IncomingHttpHeaders }> {
  const before = seen.length;
  const response = await fetch(`${orders.url}/orders/1`, { headers });
  assert.equal(response.status, 200, orders.output());
  await response.text();
  const outgoing = seen[before] as IncomingHttpHeaders;
  const traceId = String(outgoing['x-b3-traceid']);
  // server span, koa middleware spans, the client span of the call to inventory
  const spans = await waitFor('the spans', () => {
    const t = zipkin.trace(traceId);
    return t.some((s) => s.kind === 'SERVER') && t.some((s) => s.kind === 'CLIENT') ? t : undefined;
  });
  return { spans, outgoing };
}

test('an ESM koa app under --import gets server, koa and outgoing-fetch spans, continuing an incoming W3C trace', async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const { spans, outgoing } = await call({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
  assert.ok(spans.every((s) => s.traceId === traceId));
  const server = spans.find((s) => s.kind === 'SERVER');
  const client = spans.find((s) => s.kind === 'CLIENT');
  assert.equal(server?.parentId, '00f067aa0ba902b7');
  assert.equal(server?.name, 'GET /orders/:id', 'named after the route the app matched');
  assert.equal(server?.tags?.['http.route'], '/orders/:id');
  assert.ok(
    spans.some((s) => s.name.startsWith('middleware - ')),
    'koa (imported as ESM) is instrumented',
  );
  assert.equal(server?.localEndpoint?.serviceName, 'orders');
  assert.equal(server?.tags?.['k8s.pod.name'], 'orders-5c9-x2');
  assert.equal(server?.tags?.['k8s.namespace.name'], 'shop');
  assert.equal(server?.tags?.['k8s.node.name'], 'node-1');
  // Out: the call to inventory carries the client span in W3C, B3 single and B3 multi.
  assert.equal(outgoing['traceparent'], `00-${traceId}-${client?.id}-01`);
  assert.equal(outgoing['b3'], `${traceId}-${client?.id}-1`);
  assert.equal(outgoing['x-b3-traceid'], traceId);
  assert.equal(outgoing['x-b3-spanid'], client?.id);
  assert.equal(outgoing['x-b3-sampled'], '1');
});

test('an incoming B3 single header continues the trace', async () => {
  const traceId = '80f198ee56343ba864fe8b2a57d3eff7';
  const { spans } = await call({ b3: `${traceId}-e457b5a2e4d86bd1-1` });
  assert.equal(spans.find((s) => s.kind === 'SERVER')?.parentId, 'e457b5a2e4d86bd1');
  assert.ok(spans.every((s) => s.traceId === traceId));
});

test('incoming B3 multi headers continue the trace', async () => {
  const traceId = '463ac35c9f6413ad48485a3953bb6124';
  const { spans } = await call({
    'x-b3-traceid': traceId,
    'x-b3-spanid': 'a2fb4a1d1a96d312',
    'x-b3-sampled': '1',
  });
  assert.equal(spans.find((s) => s.kind === 'SERVER')?.parentId, 'a2fb4a1d1a96d312');
});

test('without trace headers a new, sampled trace starts; its log events carry its ids', async () => {
  const { spans } = await call({});
  const server = spans.find((s) => s.kind === 'SERVER');
  assert.equal(server?.parentId, undefined);
  const log = await waitFor('the access log', () =>
    agent.records.find((r) => r.record['trace.id'] === server?.traceId && r.tag === 'orders.log'),
  );
  assert.equal(log.record['http.route'], '/orders/:id');
  assert.deepEqual(log.record['kubernetes'], {
    pod_name: 'orders-5c9-x2',
    namespace_name: 'shop',
    host: 'node-1',
  });
  assert.ok(
    spans.some((s) => s.id === log.record['span.id']),
    'span.id names one of the trace’s spans',
  );
});
