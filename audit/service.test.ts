// The audit service in-process against the real Kafka and Elasticsearch: dead letters, duplicate
// event ids, rules and alerts (across a restart), webhooks, and the query API.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../common/log/logger.ts';
import { chainOf } from './chain/hash.ts';
import type { Json } from './chain/hash.ts';
import type { AuditConfigInput } from './config.ts';
import { AuditService } from './service.ts';
import { allDocs, auditEvent, countDocs, startTestRun, waitFor } from './testing/support.ts';
import type { TestRun } from './testing/support.ts';

const logger = createLogger({
  level: process.env['AUDIT_TEST_DEBUG'] === undefined ? 'error' : 'debug',
  component: 'audit-test',
});
const TOKEN = 'test-auditor-token-0123456789';
const MIN = 60_000;
const T0 = Date.UTC(2024, 4, 6, 9, 0, 0); // a Monday, 09:00 UTC: inside working hours

const at = (ms: number) => new Date(T0 + ms).toISOString();
const ev = (user: string, action: string, ms: number, extra: Json = {}, outcome = 'success') =>
  JSON.stringify(
    auditEvent({
      '@timestamp': at(ms),
      user: { id: user, name: user, roles: user === 'alice' ? ['admin'] : ['clerk'] },
      event: { action, outcome },
      ...extra,
    }),
  );
const failedLogin = (user: string, ms: number) => ev(user, 'user.login', ms, {}, 'failure');

const RULES: AuditConfigInput = {
  rules: [
    {
      name: 'brute-force',
      type: 'threshold',
      when: { action: ['user.login'], outcome: ['failure'] },
      threshold: 5,
      window: '5m',
    },
    {
      name: 'privileged-without-role',
      type: 'match',
      when: { action: ['role.grant', 'user.delete'], actor_lacks_role: ['admin'] },
      window: '1h',
    },
    {
      name: 'protected-delete',
      type: 'match',
      when: { action: ['*.delete'], resource_type: ['secret'] },
      window: '1h',
      severity: 'high',
    },
    {
      name: 'off-hours',
      type: 'match',
      when: { action: ['report.export'], outside_hours: { start: '08:00', end: '18:00' } },
      window: '1h',
    },
  ],
};

describe('audit service: dead letters, duplicates, rules, alerts, API', () => {
  let run: TestRun;
  let service: AuditService | undefined;
  let hook: Server;
  const hookCalls: { key: string; status: number }[] = [];
  let hookUrl = '';

  const start = async () => {
    service = await AuditService.start(
      run.config({
        ...RULES,
        validation: { max_event_bytes: '8KiB' },
        alerts: { webhooks: [{ url: hookUrl, max_attempts: 5, initial_backoff: '20ms' }] },
      }),
      { logger, defaultMetrics: false },
    );
    return service;
  };
  const api = async (path: string, init: RequestInit = {}, token: string | null = TOKEN) => {
    const res = await fetch(`http://127.0.0.1:${service?.httpPort}${path}`, {
      ...init,
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // plain text
    }
    return { status: res.status, body: body as Json };
  };

  before(async () => {
    run = await startTestRun({ partitions: 4 });
    hook = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        // The first delivery fails: the notifier must retry.
        const status = hookCalls.length === 0 ? 500 : 200;
        hookCalls.push({ key: String(req.headers['idempotency-key']), status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`;
  });
  after(async () => {
    await service?.shutdown();
    await new Promise((r) => hook.close(r));
    await run.cleanup();
  });

  it('dead-letters malformed, oversized and invalid events with the reason, and the partition keeps flowing', async () => {
    await start();
    const good = () => JSON.stringify(auditEvent());
    const bad = [
      'not json {',
      JSON.stringify(auditEvent({ message: 'x'.repeat(9000) })),
      JSON.stringify(auditEvent({ user: { id: null, name: null } })),
      JSON.stringify(auditEvent({ event: { outcome: 'maybe' } })),
      JSON.stringify(auditEvent({ audit: { chain: { seq: 1 } } })),
      JSON.stringify({ ...auditEvent(), '@timestamp': 'yesterday' }),
    ];
    const values = [good(), ...bad.flatMap((b) => [b, good()])];
    await run.produce(values.map((value) => ({ partition: 1, value })));

    const consumer = run.kafka.consumer({ groupId: `dlq-reader-${run.id}` });
    await consumer.connect();
    await consumer.subscribe({ topic: run.deadLetterTopic, fromBeginning: true });
    const letters: { reason: string; offset: string; value: string }[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        letters.push({
          reason: String(message.headers?.['tributary.audit.reason']),
          offset: String(message.headers?.['tributary.audit.offset']),
          value: String(message.value),
        });
      },
    });
    await waitFor('dead letters', async () => (letters.length >= bad.length ? true : undefined));
    await consumer.disconnect();
    assert.equal(letters.length, bad.length);
    assert.deepEqual(
      letters.map((l) => l.offset),
      ['1', '3', '5', '7', '9', '11'],
    );
    assert.match(letters[0]?.reason ?? '', /not JSON/);
    assert.match(letters[1]?.reason ?? '', /exceeds max_event_bytes 8192/);
    assert.match(letters[2]?.reason ?? '', /user/);
    assert.match(letters[3]?.reason ?? '', /event\.outcome/);
    assert.match(letters[4]?.reason ?? '', /audit\.chain/);
    assert.match(letters[5]?.reason ?? '', /@timestamp/);
    assert.equal(letters[0]?.value, 'not json {', 'the original is kept for replay');

    await waitFor('valid events indexed', async () =>
      (await countDocs(run.es, run.streams.events)) >= 7 ? true : undefined,
    );
    const docs = (await allDocs(run.es, run.streams.events)).filter(
      (d) => chainOf(d.source)?.partition === 1,
    );
    assert.deepEqual(
      docs.map((d) => chainOf(d.source)?.offset),
      [0, 2, 4, 6, 8, 10, 12],
    );
    assert.deepEqual(
      docs.map((d) => chainOf(d.source)?.seq),
      [1, 2, 3, 4, 5, 6, 7],
      'invalid events take no seq',
    );
    const metrics = await api('/metrics', {}, null);
    assert.match(String(metrics.body), /tributary_audit_invalid_events_total\{kind="malformed"\} 1/);
    assert.match(String(metrics.body), /tributary_audit_invalid_events_total\{kind="invalid"\} 4/);
  });

  it('drops an event whose event.id an earlier offset already had (producer replays)', async () => {
    const e = auditEvent();
    await run.produce(
      [JSON.stringify(e), JSON.stringify(auditEvent()), JSON.stringify(e)].map((value) => ({
        partition: 2,
        value,
      })),
    );
    await waitFor('events on partition 2', async () => {
      const n = (await allDocs(run.es, run.streams.events)).filter(
        (d) => chainOf(d.source)?.partition === 2,
      ).length;
      return n >= 2 ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 1000));
    const docs = (await allDocs(run.es, run.streams.events)).filter(
      (d) => chainOf(d.source)?.partition === 2,
    );
    assert.deepEqual(
      docs.map((d) => chainOf(d.source)?.offset),
      [0, 1],
    );
  });

  it('raises each rule exactly once per window, not on near misses, and not again after a restart', async () => {
    const p0 = [
      // brute-force: 5 failures within 4 minutes -> one alert; 2 more in the same window -> none
      ...[0, 1, 2, 3, 4].map((m) => failedLogin('mallory', m * MIN)),
      // near misses: 4 failures in 5 minutes, then the 5th after the first left the window
      ...[0, 1, 2, 3].map((m) => failedLogin('nearmiss', m * MIN + 1000)),
      failedLogin('nearmiss', 6.5 * MIN),
      // slow: 5 failures two minutes apart
      ...[0, 2, 4, 6, 8].map((m) => failedLogin('slow', m * MIN + 2000)),
      // successful logins never count
      ...[0, 1, 2, 3, 4, 5].map((m) => ev('mallory', 'user.login', m * 1000 + 500)),
    ];
    const p3 = [
      // privileged action without the role: twice in one hour -> one alert; the admin -> none
      ev('eve', 'role.grant', 10 * MIN),
      ev('eve', 'role.grant', 20 * MIN),
      ev('alice', 'role.grant', 10 * MIN),
      // protected resource deleted -> alert; an unprotected one -> none
      ev('bob', 'secret.delete', 30 * MIN, { audit: { resource: { type: 'secret', id: 'db-password' } } }),
      ev('carol', 'order.delete', 30 * MIN, { audit: { resource: { type: 'order', id: 'o-1' } } }),
      // outside working hours (23:30 on a Monday) -> alert; at 10:00 -> none
      ev('night', 'report.export', 14.5 * 60 * MIN),
      ev('day', 'report.export', 60 * MIN),
    ];
    await run.produce([
      ...p0.map((value) => ({ partition: 0, value })),
      ...p3.map((value) => ({ partition: 3, value })),
    ]);
    const alerts = async () =>
      (await allDocs(run.es, run.streams.alerts)).map(
        (d) => d.source as Json & { rule: { name: string }; alert: { key: string; window_start: string } },
      );
    await waitFor('four alerts', async () => ((await alerts()).length >= 4 ? true : undefined));
    await waitFor(
      'partition 3 consumed',
      async () =>
        (await allDocs(run.es, run.streams.events)).filter((d) => chainOf(d.source)?.partition === 3)
          .length >= p3.length || undefined,
    );
    await new Promise((r) => setTimeout(r, 1000));
    const names = (await alerts()).map((a) => `${a.rule.name}:${a.alert.key}`).sort();
    assert.deepEqual(names, [
      'brute-force:mallory',
      'off-hours:night',
      'privileged-without-role:eve',
      'protected-delete:bob',
    ]);

    // A restart rebuilds the rule state from what is indexed: two more failures inside the first
    // window raise nothing, five in the next window raise exactly one more.
    await service?.shutdown();
    await start();
    const later = [4.5, 4.8].map((m) => failedLogin('mallory', m * MIN));
    const nextWindow = [6, 7, 8, 9, 10].map((m) => failedLogin('mallory', m * MIN));
    await run.produce([...later, ...nextWindow].map((value) => ({ partition: 0, value })));
    await waitFor('five alerts', async () => ((await alerts()).length >= 5 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1500));
    const brute = (await alerts()).filter((a) => a.rule.name === 'brute-force');
    assert.equal(brute.length, 2);
    assert.deepEqual(brute.map((a) => a.alert.window_start).sort(), [at(0), at(6 * MIN)]);
    await waitFor('webhook deliveries', async () =>
      new Set(hookCalls.filter((c) => c.status === 200).map((c) => c.key)).size >= 5 ? true : undefined,
    );
    assert.equal(hookCalls[0]?.status, 500, 'the first attempt failed and was retried');
  });

  it('serves the read-only query API with bearer tokens, search_after paging and 400s for bad parameters', async () => {
    assert.equal((await api('/api/v1/events', {}, null)).status, 401);
    assert.equal((await api('/api/v1/events', {}, 'wrong-token-0123456789')).status, 401);
    assert.equal((await api('/api/v1/events', { method: 'POST' })).status, 405);
    assert.equal((await api('/healthz', {}, null)).status, 200);

    const byActor = await api('/api/v1/events?actor=mallory&action=user.login&outcome=failure');
    assert.equal(byActor.status, 200);
    assert.equal(byActor.body['total'], 12);
    const items = byActor.body['items'] as Json[];
    assert.ok(items.every((i) => (i['user'] as Json)['id'] === 'mallory'));

    const seen: string[] = [];
    let next: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const path: string = `/api/v1/events?actor=mallory&outcome=failure&size=5${next === null ? '' : `&search_after=${next}`}`;
      const page = await api(path);
      assert.equal(page.status, 200);
      seen.push(...(page.body['items'] as Json[]).map((i) => String(i['_id'])));
      next = page.body['next'] as string | null;
      if (next === null) break;
    }
    assert.equal(seen.length, 12);
    assert.equal(new Set(seen).size, 12);

    const secret = await api('/api/v1/events?resource=db-password');
    assert.equal(secret.body['total'], 1);
    const one = await api(
      `/api/v1/events/${encodeURIComponent(String((secret.body['items'] as Json[])[0]?.['_id']))}`,
    );
    assert.equal(one.status, 200);
    assert.equal(((one.body['audit'] as Json)['resource'] as Json)['id'], 'db-password');
    assert.equal((await api('/api/v1/events/nope-0-1')).status, 404);

    const ranged = await api(`/api/v1/events?from=${at(14 * 60 * MIN)}&to=${at(15 * 60 * MIN)}`);
    assert.equal(ranged.body['total'], 1);
    const text = await api('/api/v1/events?q=order');
    assert.ok((text.body['total'] as number) > 0);

    const verify = await api('/api/v1/verify?partition=0');
    assert.equal(verify.status, 200);
    assert.equal(verify.body['ok'], true);
    assert.equal((await api('/api/v1/verify')).body['ok'], true);

    const alerts = await api('/api/v1/alerts?rule=brute-force');
    assert.equal(alerts.body['total'], 2);

    for (const [path, why] of [
      ['/api/v1/events?colour=red', /unknown parameter `colour`/],
      ['/api/v1/events?outcome=maybe', /outcome/],
      ['/api/v1/events?size=0', /size/],
      ['/api/v1/events?size=100000', /size/],
      ['/api/v1/events?from=yesterday', /from/],
      ['/api/v1/events?search_after=xyz', /cursor/],
      ['/api/v1/events?actor=a&actor=b', /more than once/],
      ['/api/v1/verify?from=5&to=2', /below/],
      ['/api/v1/verify?partition=-1', /partition/],
      ['/api/v1/alerts?severity=urgent', /severity/],
    ] as const) {
      const r = await api(path);
      assert.equal(r.status, 400, path);
      assert.match(String(r.body['error']), why, path);
    }
  });
});
