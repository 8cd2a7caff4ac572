import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pacedLoad } from './paced-load.ts';

async function server(status: (path: string) => number) {
  const arrivals: number[] = [];
  const bodies: string[] = [];
  const http = createServer((req, res) => {
    arrivals.push(performance.now());
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      bodies.push(body);
      res.statusCode = status(req.url ?? '');
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    arrivals,
    bodies,
    close: () => new Promise((resolve) => http.close(resolve)),
  };
}

test('sends rate x seconds requests spread over the period (not in a burst), cycling through the mix', async () => {
  const s = await server(() => 200);
  try {
    const result = await pacedLoad(
      s.url,
      200,
      1,
      [
        { method: 'GET', path: '/a' },
        { method: 'POST', path: '/b', headers: { 'content-type': 'application/json' }, body: '{"x":1}' },
      ],
      4,
    );
    assert.equal(result.count, 200);
    assert.equal(result.errors, 0);
    assert.equal(s.arrivals.length, 200);
    assert.equal(s.bodies.filter((b) => b === '{"x":1}').length, 100);
    for (const latency of result.latencies.subarray(0, result.count)) assert.ok(latency > 0);
    // autocannon's rate limit would send all 200 within the first few ms of the second.
    const first = s.arrivals[0] as number;
    const span = (s.arrivals[s.arrivals.length - 1] as number) - first;
    assert.ok(span > 800, `requests spread over ${span.toFixed(0)} ms`);
    const inFirstTenth = s.arrivals.filter((t) => t - first < 100).length;
    assert.ok(inFirstTenth < 100, `${inFirstTenth} of 200 arrived in the first 100 ms`);
  } finally {
    await s.close();
  }
});

test('non-2xx answers and a server that is gone count as errors, and the load still ends', async () => {
  const s = await server((path) => (path === '/fail' ? 503 : 204));
  try {
    const result = await pacedLoad(
      s.url,
      100,
      0.2,
      [
        { method: 'GET', path: '/ok' },
        { method: 'GET', path: '/fail' },
      ],
      2,
    );
    assert.deepEqual([result.count, result.errors], [10, 10]);
  } finally {
    await s.close();
  }
  const gone = await pacedLoad(s.url, 100, 0.1, [{ method: 'GET', path: '/' }], 2);
  assert.deepEqual([gone.count, gone.errors], [0, 10]);
});
