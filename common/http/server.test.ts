import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { bearerMatch, closeHttpServer, listenHttp, serveOperations } from './index.ts';
import type { OperationsContext } from './index.ts';

describe('bearerMatch', () => {
  const tokens = [
    { name: 'a', secret: Buffer.from('first-secret-0123') },
    { name: 'b', secret: Buffer.from('second-secret-456') },
  ];

  it('finds the token the header carries, whichever it is', () => {
    assert.equal(bearerMatch('Bearer second-secret-456', tokens)?.name, 'b');
    assert.equal(bearerMatch('Bearer first-secret-0123 ', tokens)?.name, 'a');
  });

  it('finds none for a wrong, shorter or longer secret, another scheme or no header', () => {
    for (const header of [
      'Bearer first-secret-0124',
      'Bearer first-secret',
      'Bearer first-secret-01234',
      'Basic first-secret-0123',
      undefined,
    ])
      assert.equal(bearerMatch(header, tokens), undefined, String(header));
  });
});

describe('serveOperations', () => {
  const registry = new Registry();
  const ctx = (method: string, path: string): OperationsContext => ({
    method,
    path,
    status: 404,
    body: undefined,
    type: '',
  });

  it('answers the probes with the reason when not ready, and the metrics', async () => {
    let reason: string | undefined = 'starting';
    const ops = { registry, healthy: () => true, notReadyReason: () => reason };
    const ready = ctx('GET', '/readyz');
    assert.equal(await serveOperations(ready, ops), true);
    assert.deepEqual([ready.status, ready.body], [503, 'not ready: starting\n']);
    reason = undefined;
    await serveOperations(ready, ops);
    assert.deepEqual([ready.status, ready.body], [200, 'ready\n']);
    const health = ctx('HEAD', '/healthz');
    await serveOperations(health, { ...ops, healthy: () => false });
    assert.deepEqual([health.status, health.body], [503, 'unhealthy\n']);
    const metrics = ctx('GET', '/metrics');
    await serveOperations(metrics, ops);
    assert.equal(metrics.type, registry.contentType);
  });

  it('leaves other paths and methods to the caller', async () => {
    const ops = { registry, healthy: () => true, notReadyReason: () => undefined };
    for (const c of [ctx('POST', '/healthz'), ctx('GET', '/api/v1/events')]) {
      assert.equal(await serveOperations(c, ops), false);
      assert.equal(c.status, 404);
    }
  });
});

describe('listenHttp and closeHttpServer', () => {
  it('closes at once although a keep-alive client still holds a connection', async () => {
    const server = await listenHttp({ listen: '127.0.0.1', port: 0 }, (_req, res) => res.end('ok'), {
      requestTimeoutMs: 10_000,
    });
    const agent = new Agent({ keepAlive: true });
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) =>
      request({ port, host: '127.0.0.1', agent }, (res) => res.resume().on('end', resolve))
        .on('error', reject)
        .end(),
    );
    const started = Date.now();
    await closeHttpServer(server, 60_000);
    assert.ok(Date.now() - started < 5_000);
    assert.equal(server.listening, false);
    agent.destroy();
  });
});
