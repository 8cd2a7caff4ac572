import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseOutcome } from './audit.ts';
import { normaliseLog } from './normalise-log.ts';

const T = { seconds: 1714564800, nanoseconds: 0 };
const audit = (record: Record<string, unknown>, tag = 'orders.audit') =>
  normaliseLog(
    { tag, time: T, record },
    { defaultNamespace: 'default', defaultDataset: 'generic', serviceLabelKeys: [] },
  );

describe('audit mapping', () => {
  it('reads the instrumentation shape (actor, resource, action, outcome, reason)', () => {
    const d = audit({
      audit: true,
      message: 'order deleted',
      action: 'order.delete',
      outcome: 'denied',
      category: 'database',
      actor: { id: 'u-1', name: 'alice', roles: ['admin', 'ops'], ip: '10.1.2.3', user_agent: 'curl/8' },
      resource: { type: 'order', id: '42', name: 'Order 42' },
      reason: 'not owner',
      trace_id: 'ABCD',
    });
    assert.equal(d.tributary?.audit, true);
    assert.equal(d.event.action, 'order.delete');
    assert.equal(d.event.outcome, 'failure');
    assert.deepEqual(d.event.category, ['database']);
    assert.deepEqual(d.user, { id: 'u-1', name: 'alice', roles: ['admin', 'ops'] });
    assert.deepEqual(d.source, { ip: '10.1.2.3' });
    assert.deepEqual(d.user_agent, { original: 'curl/8' });
    assert.deepEqual(d.audit, {
      resource: { type: 'order', id: '42', name: 'Order 42' },
      reason: 'not owner',
    });
    assert.equal(d.trace?.id, 'abcd');
    assert.deepEqual(d['actor'], {
      id: 'u-1',
      name: 'alice',
      roles: ['admin', 'ops'],
      ip: '10.1.2.3',
      user_agent: 'curl/8',
    });
  });

  it('reads ECS dotted keys and removes them so no field appears twice', () => {
    const d = audit({
      audit: true,
      'event.action': 'login',
      'event.outcome': 'success',
      'event.category': ['authentication'],
      'user.id': 'u2',
      'user.name': 'bob',
      'user.roles': 'viewer',
      'source.ip': '::1',
      'user_agent.original': 'Mozilla/5.0',
      'audit.resource.type': 'session',
      'audit.resource.id': 's1',
      'audit.resource.name': 'web',
      'audit.reason': 'password',
    });
    assert.deepEqual(d.event, {
      id: d.event.id,
      dataset: 'orders',
      action: 'login',
      outcome: 'success',
      category: ['authentication'],
      kind: 'event',
    });
    assert.deepEqual(d.user, { id: 'u2', name: 'bob', roles: ['viewer'] });
    assert.deepEqual(d.source, { ip: '::1' });
    assert.deepEqual(d.user_agent, { original: 'Mozilla/5.0' });
    assert.deepEqual(d.audit, { resource: { type: 'session', id: 's1', name: 'web' }, reason: 'password' });
    for (const k of Object.keys(d)) assert.ok(!/^(event|user|source|audit|user_agent)\./.test(k), k);
  });

  it('reads ECS nested objects', () => {
    const d = audit({
      audit: true,
      event: { action: 'config.change', outcome: 'failure', category: ['configuration'] },
      user: { id: 'u3', name: 'carol', roles: ['root'], email: 'c@x' },
      source: { ip: '192.0.2.1', port: 5555 },
      user_agent: { original: 'kubectl' },
    });
    assert.equal(d.event.action, 'config.change');
    assert.equal(d.event.outcome, 'failure');
    assert.deepEqual(d.user, { id: 'u3', name: 'carol', roles: ['root'], email: 'c@x' });
    assert.deepEqual(d.source, { ip: '192.0.2.1', port: 5555 });
    assert.deepEqual(d.user_agent, { original: 'kubectl' });
  });

  it('makes events on configured tags audit events and maps them too', () => {
    const d = normaliseLog(
      { tag: 'audit.orders', time: T, record: { action: 'x', user: 'dave' } },
      {
        defaultNamespace: 'default',
        defaultDataset: 'generic',
        serviceLabelKeys: [],
        isAuditTag: (t) => t.startsWith('audit.'),
      },
    );
    assert.equal(d.tributary?.audit, true);
    assert.equal(d.event.outcome, 'unknown');
    assert.equal(d.user?.name, 'dave');
    assert.equal(d.tributary?.original?.['user'], 'dave');
  });

  it('does not treat audit: "true" or audit: 1 as the flag', () => {
    assert.equal(audit({ audit: 'true' }).tributary?.audit, undefined);
    assert.equal(audit({ audit: 1 }).tributary?.audit, undefined);
    assert.equal(audit({ message: 'x' }).tributary, undefined);
  });

  it('ignores malformed audit fields rather than failing', () => {
    const d = audit({
      audit: true,
      actor: 'x',
      resource: [1],
      action: { a: 1 },
      'user.roles': [1, null, 'ok'],
      reason: 'r'.repeat(10_000),
    });
    assert.equal(d.event.action, undefined);
    assert.deepEqual(d.user, { roles: ['ok'] });
    assert.deepEqual(d.audit, undefined);
  });

  it('maps outcomes', () => {
    assert.equal(normaliseOutcome(true), 'success');
    assert.equal(normaliseOutcome('OK'), 'success');
    assert.equal(normaliseOutcome(false), 'failure');
    assert.equal(normaliseOutcome('Forbidden'), 'failure');
    assert.equal(normaliseOutcome('maybe'), 'unknown');
    assert.equal(normaliseOutcome(undefined), 'unknown');
  });
});
