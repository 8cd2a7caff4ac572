import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { memoryCore } from '../test-support/memory-sink.ts';
import { Auditor, AuditValidationError, auditProblem, type AuditEvent } from './audit.ts';

const provider = new TracerProvider({});
before(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
});
after(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});

const valid: AuditEvent = {
  action: 'order.delete',
  outcome: 'success',
  actor: { id: 'u-17', name: 'Ann', roles: ['admin', 'support'], ip: '10.1.2.3', userAgent: 'curl/8' },
  resource: { type: 'order', id: 42, name: 'Order 42' },
  reason: 'customer request',
  category: 'database',
  fields: { ticket: 'SUP-9', 'event.action': 'cannot override' },
};

test('an audit event carries audit: true, the DESIGN.md fields and the active trace', () => {
  const { sink, emitter } = memoryCore();
  const auditor = new Auditor(() => emitter, 'development');
  let ids: { traceId: string; spanId: string } | undefined;
  trace.getTracer('t').startActiveSpan('delete', (span) => {
    ids = span.spanContext();
    auditor.audit(valid);
    span.end();
  });
  assert.equal(sink.events[0]?.kind, 'audit');
  assert.deepEqual(sink.records[0], {
    message: 'order.delete success',
    'log.level': 'info',
    ticket: 'SUP-9',
    'event.action': 'order.delete',
    audit: true,
    'event.outcome': 'success',
    'event.category': ['database'],
    'user.id': 'u-17',
    'user.name': 'Ann',
    'user.roles': ['admin', 'support'],
    'source.ip': '10.1.2.3',
    'user_agent.original': 'curl/8',
    'audit.resource.type': 'order',
    'audit.resource.id': '42',
    'audit.resource.name': 'Order 42',
    'audit.reason': 'customer request',
    'service.name': 'test',
    'event.id': sink.records[0]?.['event.id'],
    'trace.id': ids?.traceId,
    'span.id': ids?.spanId,
  });
  assert.equal(auditor.stats.emitted, 1);
});

test('a failure is a warning; outcome defaults to unknown', () => {
  const { sink, emitter } = memoryCore();
  const auditor = new Auditor(() => emitter, 'production');
  auditor.audit({ action: 'login', outcome: 'failure', actor: { id: 'u1' }, reason: 'bad password' });
  auditor.audit({ action: 'export', actor: { id: 'u1' } });
  assert.equal(sink.records[0]?.['log.level'], 'warn');
  assert.equal(sink.records[1]?.['event.outcome'], 'unknown');
});

const invalid: [string, unknown, RegExp][] = [
  ['no action', { actor: { id: 'u1' } }, /'action' is required: a non-empty string naming the operation/],
  ['empty action', { action: ' ', actor: { id: 'u1' } }, /'action' is required/],
  ['no actor', { action: 'order.delete' }, /'actor' is required for "order.delete"/],
  ['actor without id', { action: 'x', actor: { name: 'Ann' } }, /'actor.id' is required/],
  [
    'roles not strings',
    { action: 'x', actor: { id: 1, roles: [1] } },
    /'actor.roles' must be an array of strings/,
  ],
  [
    'bad outcome',
    { action: 'x', actor: { id: 1 }, outcome: 'ok' },
    /'outcome' must be "success", "failure" or "unknown", got "ok"/,
  ],
  [
    'resource without type',
    { action: 'x', actor: { id: 1 }, resource: { id: '1' } },
    /'resource.type' is required/,
  ],
  ['not an object', 'order.delete', /expects an event object/],
];

test('development: an invalid call throws a clear AuditValidationError and emits nothing', () => {
  const { sink, emitter } = memoryCore();
  const auditor = new Auditor(() => emitter, 'development');
  for (const [what, event, message] of invalid) {
    assert.throws(
      () => auditor.audit(event as AuditEvent),
      (e: unknown) =>
        e instanceof AuditValidationError && message.test(e.message) && /^audit\(\): /.test(e.message),
      what,
    );
  }
  assert.equal(sink.records.length, 0);
  assert.equal(auditProblem(valid), undefined);
});

test('production: an invalid call is logged as an error and counted, never thrown', () => {
  const { sink, emitter } = memoryCore();
  const auditor = new Auditor(() => emitter, 'production');
  for (const [, event] of invalid) assert.doesNotThrow(() => auditor.audit(event as AuditEvent));
  assert.equal(auditor.stats.rejected, invalid.length);
  assert.equal(auditor.stats.emitted, 0);
  assert.ok(
    sink.events.every((e) => e.kind === 'log'),
    'nothing is flagged audit',
  );
  const first = sink.records[0];
  assert.equal(first?.['log.level'], 'error');
  assert.match(String(first?.['message']), /^audit event rejected: 'action' is required/);
  assert.equal(first?.['error.type'], 'AuditValidationError');
  assert.equal(sink.records[2]?.['event.action'], 'order.delete', 'what is known of the call is kept');
});
