// Graceful shutdown, in real child processes: SIGTERM flushes spans and logs within the deadline
// and then lets the process exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { startChild } from './test-support/child.ts';
import { ForwardSinkServer, ZipkinSink, waitFor } from './test-support/sinks.ts';

async function sinks(t: { after: (fn: () => Promise<void>) => void }) {
  const zipkin = await ZipkinSink.start();
  const agent = await ForwardSinkServer.start();
  t.after(() => zipkin.stop());
  t.after(() => agent.stop());
  return { zipkin, agent };
}

function env(zipkin: ZipkinSink, agentPort: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    OTEL_SERVICE_NAME: 'fixture',
    TRIBUTARY_ZIPKIN_URL: zipkin.url,
    TRIBUTARY_FORWARD_PORT: String(agentPort),
    // Long enough that only the shutdown flush can deliver in time.
    OTEL_BSP_SCHEDULE_DELAY: '60000',
    ...extra,
  };
}

test('SIGTERM: spans and logs are flushed, then the process exits by the signal', async (t) => {
  const { zipkin, agent } = await sinks(t);
  const app = await startChild('test-support/fixtures/logging-app.ts', { env: env(zipkin, agent.port) });
  t.after(() => app.stop('SIGKILL'));
  await waitFor('the logs', () => agent.records.length === 100 || undefined);
  assert.equal(zipkin.spans.length, 0, 'spans wait for the batch processor');
  const started = performance.now();
  await app.stop('SIGTERM');
  assert.equal(app.process.signalCode, 'SIGTERM', 'the exit looks like the default SIGTERM exit');
  assert.ok(performance.now() - started < 5000);
  assert.equal(zipkin.spans.filter((s) => s.name === 'fixture-work').length, 1);
  assert.ok(agent.records.every((r) => r.record['trace.id'] === zipkin.spans[0]?.traceId));
});

test('SIGTERM with the agent unreachable: the process still exits, at the deadline', async (t) => {
  const { zipkin } = await sinks(t);
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const app = await startChild('test-support/fixtures/logging-app.ts', {
    env: env(zipkin, deadPort, { TRIBUTARY_SHUTDOWN_TIMEOUT_MS: '700' }),
  });
  t.after(() => app.stop('SIGKILL'));
  const started = performance.now();
  await app.stop('SIGTERM');
  const took = performance.now() - started;
  assert.equal(app.process.signalCode, 'SIGTERM');
  assert.ok(took >= 600 && took < 4000, `exited after ${took.toFixed(0)} ms`);
  assert.equal(zipkin.spans.length, 1, 'spans still went out');
});

test('an application with its own SIGTERM handler decides when to exit; shutdown() flushes first', async (t) => {
  const { zipkin, agent } = await sinks(t);
  const app = await startChild('test-support/fixtures/logging-app.ts', {
    env: env(zipkin, agent.port, { FIXTURE_MODE: 'own-handler', FIXTURE_RECORDS: '2000' }),
  });
  t.after(() => app.stop('SIGKILL'));
  assert.equal(await app.stop('SIGTERM'), 0);
  assert.match(app.output(), /flushed true/);
  assert.equal(agent.records.length, 2000);
  assert.equal(zipkin.spans.length, 1);
});

test('a process that runs out of work flushes once before it exits', async (t) => {
  const { zipkin, agent } = await sinks(t);
  const app = await startChild('test-support/fixtures/logging-app.ts', {
    env: env(zipkin, agent.port, { FIXTURE_MODE: 'natural' }),
  });
  t.after(() => app.stop('SIGKILL'));
  assert.equal(await app.exited, 0);
  assert.equal(agent.records.length, 100);
  assert.equal(zipkin.spans.length, 1);
});
