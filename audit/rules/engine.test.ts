import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Json } from '../chain/hash.ts';
import { ruleSchema } from './config.ts';
import type { RuleConfig } from './config.ts';
import { RuleEngine } from './engine.ts';
import { outsideHours } from './match.ts';

const MIN = 60_000;
const T0 = Date.UTC(2024, 4, 6, 9, 0, 0); // Monday 09:00 UTC
const event = (user: string, action: string, ms: number, extra: Json = {}): Json => ({
  '@timestamp': new Date(T0 + ms).toISOString(),
  event: { action, outcome: 'failure' },
  user: { id: user, roles: ['clerk'] },
  ...extra,
});
const rule = (r: unknown): RuleConfig => ruleSchema.parse(r);

function feed(engine: RuleEngine, events: Json[]) {
  const state = engine.newState();
  return events
    .flatMap((e, i) => engine.evaluate(state, e, i, `id-${i}`))
    .map((h) => `${h.rule.name}:${h.key}:${(h.windowStart - T0) / MIN}`);
}

describe('rule engine', () => {
  const brute = rule({
    name: 'brute',
    type: 'threshold',
    when: { action: ['user.login'], outcome: ['failure'] },
    threshold: 5,
    window: '5m',
  });

  it('fires a threshold rule once per key and window, again in the next window', () => {
    const engine = new RuleEngine([brute]);
    const events = [0, 1, 2, 3, 4, 4.5, 4.9, 6, 7, 8, 9, 10].map((m) => event('m', 'user.login', m * MIN));
    assert.deepEqual(feed(engine, events), ['brute:m:0', 'brute:m:6']);
  });

  it('does not fire on near misses', () => {
    const engine = new RuleEngine([brute]);
    assert.deepEqual(
      feed(
        engine,
        [0, 1, 2, 3].map((m) => event('a', 'user.login', m * MIN)),
      ),
      [],
    );
    assert.deepEqual(
      feed(
        engine,
        [0, 1, 2, 3, 6.5].map((m) => event('a', 'user.login', m * MIN)),
      ),
      [],
    );
    assert.deepEqual(
      feed(
        engine,
        [0, 2, 4, 6, 8].map((m) => event('a', 'user.login', m * MIN)),
      ),
      [],
    );
    assert.deepEqual(
      feed(
        engine,
        [0, 1, 2, 3, 4].map((m) => event(`u${m}`, 'user.login', m * MIN)),
      ),
      [],
      'per key',
    );
    assert.deepEqual(
      feed(
        engine,
        [0, 1, 2, 3, 4].map((m) =>
          event('a', 'user.login', m * MIN, { event: { action: 'user.login', outcome: 'success' } }),
        ),
      ),
      [],
    );
  });

  it('fires match rules once per window: privileged action without the role, protected delete, off hours', () => {
    const engine = new RuleEngine([
      rule({
        name: 'priv',
        type: 'match',
        when: { action: ['role.*'], actor_lacks_role: ['admin'] },
        window: '1h',
      }),
      rule({
        name: 'protected',
        type: 'match',
        when: { action: ['*.delete'], resource_type: ['secret'] },
        window: '1h',
      }),
      rule({
        name: 'hours',
        type: 'match',
        when: { action: ['report.export'], outside_hours: { start: '08:00', end: '18:00' } },
      }),
    ]);
    const hits = feed(engine, [
      event('eve', 'role.grant', 0),
      event('eve', 'role.revoke', 30 * MIN),
      event('eve', 'role.grant', 61 * MIN),
      event('root', 'role.grant', 0, { user: { id: 'root', roles: ['admin'] } }),
      event('bob', 'secret.delete', 0, { audit: { resource: { type: 'secret' } } }),
      event('bob', 'order.delete', 0, { audit: { resource: { type: 'order' } } }),
      event('night', 'report.export', 14 * 60 * MIN),
      event('day', 'report.export', 60 * MIN),
    ]);
    assert.deepEqual(hits, ['priv:eve:0', 'priv:eve:61', 'protected:bob:0', 'hours:night:840']);
  });

  it('rebuilds its state from indexed alerts and events (no second alert after a restart)', () => {
    const engine = new RuleEngine([brute]);
    const events = [0, 1, 2, 3, 4].map((m) => event('m', 'user.login', m * MIN));
    const state = engine.newState();
    const hits = events.flatMap((e, i) => engine.evaluate(state, e, i, `id-${i}`));
    assert.equal(hits.length, 1);
    const restored = engine.newState();
    engine.restoreAlert(restored, 'brute', 'm', hits[0]?.windowEnd ?? 0, 4);
    events.forEach((e, i) => engine.evaluate(restored, e, i, `id-${i}`));
    assert.deepEqual(engine.evaluate(restored, event('m', 'user.login', 4.5 * MIN), 5, 'id-5'), []);
  });

  it('knows working hours across time zones and midnight', () => {
    const h = {
      start: '08:00',
      end: '18:00',
      days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const,
      time_zone: 'Europe/Paris',
    };
    assert.equal(outsideHours(Date.UTC(2024, 4, 6, 6, 30), { ...h, days: [...h.days] }), false); // 08:30 in Paris
    assert.equal(outsideHours(Date.UTC(2024, 4, 6, 5, 30), { ...h, days: [...h.days] }), true); // 07:30
    assert.equal(outsideHours(Date.UTC(2024, 4, 4, 10, 0), { ...h, days: [...h.days] }), true); // Saturday
    const night = { start: '22:00', end: '06:00', days: [...h.days], time_zone: 'UTC' };
    assert.equal(outsideHours(Date.UTC(2024, 4, 6, 23, 0), night), false);
    assert.equal(outsideHours(Date.UTC(2024, 4, 6, 12, 0), night), true);
  });
});
