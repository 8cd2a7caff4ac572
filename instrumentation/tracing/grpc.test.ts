import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startChild } from '../test-support/child.ts';
import { ZipkinSink, waitFor } from '../test-support/sinks.ts';

test('@grpc/grpc-js client and server calls get spans, linked by propagated context', async (t) => {
  const zipkin = await ZipkinSink.start();
  t.after(() => zipkin.stop());
  const app = await startChild('test-support/fixtures/grpc-app.ts', {
    waitForListening: false,
    env: {
      OTEL_SERVICE_NAME: 'greeter',
      TRIBUTARY_ZIPKIN_URL: zipkin.url,
      TRIBUTARY_LOG_OUTPUT: 'none',
    },
  });
  t.after(() => app.stop('SIGKILL'));
  assert.equal(await app.exited, 0, app.output());
  assert.match(app.output(), /"greeting":"hello tributary"/);
  const spans = await waitFor('two spans', () => (zipkin.spans.length >= 2 ? zipkin.spans : undefined));
  const client = spans.filter((s) => s.kind === 'CLIENT');
  const server = spans.filter((s) => s.kind === 'SERVER');
  assert.equal(client.length, 1, JSON.stringify(spans));
  assert.equal(server.length, 1, JSON.stringify(spans));
  assert.equal(client[0]?.name, 'grpc.demo.Greeter/Hello');
  assert.equal(server[0]?.traceId, client[0]?.traceId);
  assert.equal(server[0]?.parentId, client[0]?.id);
});
