import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateMessage } from './validate.ts';

const limits = { maxEventBytes: 4096, maxDepth: 8 };
const base = {
  '@timestamp': '2024-05-06T10:00:00.123456789Z',
  event: { id: 'e1', action: 'user.login', outcome: 'failure' },
  user: { id: 'u1', roles: ['admin'] },
  source: { ip: '10.0.0.1' },
};
const check = (v: unknown) =>
  validateMessage(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)), limits);
const reason = (v: unknown): string => {
  const r = check(v);
  assert.equal(r.ok, false, JSON.stringify(v));
  return r.ok ? '' : r.reason;
};

describe('audit event validation', () => {
  it('accepts a collector-shaped event and keeps unknown fields', () => {
    const r = check({ ...base, http: { request: { method: 'POST' } }, 'custom.field': 1 });
    assert.ok(r.ok);
    assert.equal(r.eventId, 'e1');
    assert.deepEqual(r.event['http'], { request: { method: 'POST' } });
    assert.ok(check({ ...base, user: { name: 'alice' } }).ok, 'user.name is an actor too');
  });

  it('requires @timestamp, event.action, event.outcome and an actor', () => {
    assert.match(reason({ ...base, '@timestamp': undefined }), /@timestamp/);
    assert.match(
      reason({ ...base, event: { outcome: 'success' } }),
      /event\.action: required field is missing/,
    );
    assert.match(reason({ ...base, event: { action: 'x' } }), /event\.outcome/);
    assert.match(reason({ ...base, user: {} }), /an actor is required/);
    assert.match(reason({ ...base, user: undefined }), /^user/);
  });

  it('checks types where the index maps fields', () => {
    assert.match(reason({ ...base, '@timestamp': '2024-05-06' }), /@timestamp/);
    assert.match(reason({ ...base, '@timestamp': '1900-01-01T00:00:00Z' }), /between 1970 and 2262/);
    assert.match(reason({ ...base, event: { ...base.event, outcome: 'maybe' } }), /event\.outcome/);
    assert.match(reason({ ...base, source: { ip: 'not-an-ip' } }), /source\.ip/);
    assert.match(reason({ ...base, user: { id: { nested: 1 } } }), /user\.id/);
    assert.match(reason({ ...base, audit: { resource: { type: { x: 1 } } } }), /audit\.resource\.type/);
    assert.match(reason({ ...base, service: 'orders' }), /service/);
    assert.match(reason({ ...base, event: { ...base.event, id: 'x'.repeat(600) } }), /event\.id/);
  });

  it('refuses oversized, malformed, too deep, unhashable, shadowing and forged-chain events', () => {
    assert.match(reason({ ...base, message: 'x'.repeat(5000) }), /exceeds max_event_bytes 4096/);
    assert.equal(validateMessage(Buffer.alloc(5000, 'x'), limits).ok, false);
    assert.match(reason('{"a":'), /not JSON/);
    assert.match(reason('[1,2]'), /not a JSON object/);
    assert.match(reason(''), /empty/);
    assert.equal(validateMessage(null, limits).ok, false);
    let deep: unknown = 1;
    for (let i = 0; i < 10; i++) deep = { d: deep };
    assert.match(reason({ ...base, deep }), /nested deeper than 8/);
    assert.match(reason(`{"@timestamp":"2024-05-06T10:00:00Z","x":"\\ud800"}`), /lone UTF-16 surrogate/);
    assert.match(reason({ ...base, 'event.action': 'other' }), /dotted key `event\.action`/);
    assert.match(reason({ ...base, audit: { chain: { seq: 1 } } }), /audit\.chain/);
  });
});
