import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startChild } from '../test-support/child.ts';
import { ZipkinSink, waitFor } from '../test-support/sinks.ts';

test('an outgoing http.get gets exactly one CLIENT span, parent of the server’s span', async (t) => {
  const zipkin = await ZipkinSink.start();
  t.after(() => zipkin.stop());
  const app = await startChild('test-support/fixtures/http-client-app.ts', {
    waitForListening: false,
    env: { OTEL_SERVICE_NAME: 'caller', TRIBUTARY_ZIPKIN_URL: zipkin.url, TRIBUTARY_LOG_OUTPUT: 'none' },
  });
  t.after(() => app.stop('SIGKILL'));
  assert.equal(await app.exited, 0, app.output());
  assert.match(app.output(), /^ok$/m);
  await waitFor('the server span', () => (zipkin.spans.some((s) => s.kind === 'SERVER') ? true : undefined));
  await sleep(200); // a duplicate would have been exported in the same flush
  const client = zipkin.spans.filter((s) => s.kind === 'CLIENT');
  const server = zipkin.spans.filter((s) => s.kind === 'SERVER');
  assert.equal(client.length, 1, JSON.stringify(zipkin.spans));
  assert.equal(server.length, 1, JSON.stringify(zipkin.spans));
  assert.equal(server[0]?.parentId, client[0]?.id);
  assert.equal(server[0]?.traceId, client[0]?.traceId);
  assert.equal(server[0]?.tags?.['url.path'], '/items/7');
});
