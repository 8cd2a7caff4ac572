// The stack's Zipkin is a real Zipkin 3 server: it accepts a v2 span and returns it by trace id.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureStack } from '../support/stack.ts';

let zipkinUrl = '';

before(async () => {
  zipkinUrl = (await ensureStack()).zipkinUrl;
});

test('it is Zipkin 3', async (t) => {
  const info = (await (await fetch(`${zipkinUrl}/info`)).json()) as { zipkin: { version: string } };
  t.diagnostic(`Zipkin ${info.zipkin.version}`);
  assert.match(info.zipkin.version, /^3\.\d+\.\d+$/);
});

test('POST /api/v2/spans is accepted and GET /api/v2/trace/{id} returns the spans', async () => {
  const traceId = randomBytes(16).toString('hex');
  const rootId = randomBytes(8).toString('hex');
  const childId = randomBytes(8).toString('hex');
  const nowMicros = Date.now() * 1000;
  const spans = [
    {
      traceId,
      id: rootId,
      name: 'get /orders',
      kind: 'SERVER',
      timestamp: nowMicros,
      duration: 1500,
      localEndpoint: { serviceName: 'itest-orders' },
      tags: { 'http.method': 'GET' },
    },
    {
      traceId,
      id: childId,
      parentId: rootId,
      name: 'select',
      kind: 'CLIENT',
      timestamp: nowMicros + 100,
      duration: 700,
      localEndpoint: { serviceName: 'itest-orders' },
      remoteEndpoint: { serviceName: 'postgres' },
    },
  ];
  const posted = await fetch(`${zipkinUrl}/api/v2/spans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spans),
  });
  assert.equal(posted.status, 202);

  // Zipkin stores asynchronously after the 202; poll briefly, bounded.
  let trace: { id: string; parentId?: string; name: string }[] = [];
  for (let attempt = 0; attempt < 50 && trace.length < 2; attempt++) {
    const response = await fetch(`${zipkinUrl}/api/v2/trace/${traceId}`);
    if (response.status === 200) trace = (await response.json()) as typeof trace;
    else await sleep(100);
  }
  assert.equal(trace.length, 2);
  assert.deepEqual(trace.map((s) => s.id).sort(), [rootId, childId].sort());
  assert.equal(trace.find((s) => s.id === childId)?.parentId, rootId);
  assert.equal(trace.find((s) => s.id === rootId)?.name, 'get /orders');
});
