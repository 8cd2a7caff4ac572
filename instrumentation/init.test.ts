import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startChild } from './test-support/child.ts';
import { ZipkinSink } from './test-support/sinks.ts';

function lines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('stdout output: ECS JSON lines with @timestamp and trace ids, and nothing sent over Forward', async (t) => {
  const zipkin = await ZipkinSink.start();
  t.after(() => zipkin.stop());
  const app = await startChild('test-support/fixtures/stdout-app.ts', {
    waitForListening: false,
    env: {
      OTEL_SERVICE_NAME: 'reports',
      TRIBUTARY_LOG_OUTPUT: 'stdout',
      TRIBUTARY_ZIPKIN_URL: zipkin.url,
      // Forward would fail loudly on this port; stdout mode must not try it.
      TRIBUTARY_FORWARD_PORT: '1',
    },
  });
  assert.equal(await app.exited, 0, app.output());
  const [plain, inSpan, auditLine] = lines(app.output());
  assert.match(String(plain?.['@timestamp']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  assert.equal(plain?.['message'], 'plain line');
  assert.equal(plain?.['log.level'], 'info');
  assert.equal(plain?.['service.name'], 'reports');
  assert.equal(plain?.['answer'], 42);
  assert.equal(plain?.['trace.id'], undefined);
  assert.match(String(inSpan?.['trace.id']), /^[0-9a-f]{32}$/);
  assert.equal(auditLine?.['audit'], true);
  assert.equal(auditLine?.['event.action'], 'report.export');
  assert.equal(auditLine?.['trace.id'], inSpan?.['trace.id']);
  assert.doesNotMatch(app.output(), /Warning|ECONNREFUSED/);
});

test('before init() (no --import) the module-level logger and audit() still write JSON lines to stdout', async () => {
  const app = await startChild('test-support/fixtures/stdout-app.ts', {
    waitForListening: false,
    register: false,
    env: { OTEL_SERVICE_NAME: 'early' },
  });
  assert.equal(await app.exited, 0, app.output());
  const records = lines(app.output());
  assert.equal(records.length, 3);
  assert.equal(records[0]?.['service.name'], 'early');
  assert.equal(records[2]?.['audit'], true);
});

test('--import with a bad setting stops start-up with an error naming the variable', async () => {
  const app = await startChild('test-support/fixtures/stdout-app.ts', {
    waitForListening: false,
    env: { TRIBUTARY_LOG_LEVEL: 'verbose' },
  });
  assert.notEqual(await app.exited, 0);
  assert.match(
    app.output(),
    /InstrumentationConfigError: TRIBUTARY_LOG_LEVEL="verbose" is not valid; use one of trace, debug, info, warn, error, fatal/,
  );
});
