import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConfigError, loadYamlConfig } from '../common/config/index.ts';
import { auditConfigSchema } from './config.ts';
import { reference } from './docs.ts';

const load = (text: string, env: Record<string, string> = {}) =>
  loadYamlConfig({ text, source: 'audit.yaml' }, auditConfigSchema, { env });

function problems(text: string): string {
  try {
    load(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

describe('audit config', () => {
  it('has defaults for everything', () => {
    const c = auditConfigSchema.parse({});
    assert.equal(c.kafka.topic, 'tributary-audit');
    assert.equal(c.kafka.dead_letter_topic, 'tributary-audit-dead-letter');
    assert.equal(c.elasticsearch.namespace, 'default');
    assert.equal(c.elasticsearch.templates.priority, 300);
    assert.equal(c.api.port, 9480);
    assert.equal(c.chain.digest_every, 60_000);
    assert.equal(c.validation.max_event_bytes, 64 * 1024);
    assert.deepEqual(c.rules, []);
  });

  it('reads a production-like file with rules, keys and tokens from the environment', () => {
    const c = load(
      [
        'kafka: { brokers: ["kafka-0:9093"], sasl: { mechanism: scram-sha-512, username: audit, password: "${PW}" }, ssl: {} }',
        'elasticsearch: { namespace: prod, auth: { api_key: "${KEY}" } }',
        'signing: { private_key_env: AUDIT_KEY }',
        'chain: { digest_every: 30s, digest_every_events: 500 }',
        'api: { tokens: [{ name: secops, token: "${TOKEN}" }] }',
        'rules:',
        '  - { name: brute-force, type: threshold, when: { action: [user.login], outcome: [failure] }, threshold: 5, window: 5m }',
        '  - name: off-hours',
        '    type: match',
        '    when: { outside_hours: { start: "08:00", end: "18:00", time_zone: Europe/Paris } }',
        '',
      ].join('\n'),
      { PW: 'pw', KEY: 'k', TOKEN: 'a-token-of-sixteen-chars' },
    );
    assert.equal(c.kafka.sasl?.password, 'pw');
    assert.equal(c.elasticsearch.namespace, 'prod');
    assert.equal(c.chain.digest_every, 30_000);
    assert.deepEqual(c.api.tokens, [
      { name: 'secops', token: 'a-token-of-sixteen-chars', roles: ['auditor'] },
    ]);
    assert.equal(c.rules[0]?.window, 300_000);
    assert.deepEqual(c.rules[1]?.when.outside_hours?.days, ['mon', 'tue', 'wed', 'thu', 'fri']);
  });

  it('names every bad key with its path and line', () => {
    const msg = problems(
      [
        'kafka: { topic: "bad topic", dead_letter_topc: x }',
        'elasticsearch: { namespace: Prod-1, templates: { priority: 150 } }',
        'api: { tokens: [{ name: a, token: short }] }',
        'rules:',
        '  - { name: r1, type: threshold, when: { action: [a] } }',
        '  - { name: r1, type: match, when: {}, window: 1ms }',
        '  - { name: r3, type: match, when: { outside_hours: { start: "25:00", end: "08:00", time_zone: Mars/Base } } }',
        '',
      ].join('\n'),
    );
    for (const expected of [
      /audit\.yaml:1:\d+: kafka\.topic: a Kafka topic name/,
      /kafka\.dead_letter_topc: unknown key `dead_letter_topc`, did you mean `dead_letter_topic`\?/,
      /elasticsearch\.namespace: a data stream namespace/,
      /elasticsearch\.templates\.priority/,
      /api\.tokens\[0\]\.token: a bearer token must have at least 16 characters/,
      /rules\[0\]\.threshold: a threshold rule needs `threshold`/,
      /rules\[1\]\.when: give at least one condition/,
      /rules\[1\]\.window: window must be between 1s and 7d/,
      /rules\[1\]\.name: duplicate rule name `r1`/,
      /rules\[2\]\.when\.outside_hours\.start: expected a time of day/,
      /rules\[2\]\.when\.outside_hours\.time_zone: unknown IANA time zone/,
    ])
      assert.match(msg, expected);
  });

  it('refuses a dead-letter topic equal to the audit topic', () => {
    assert.match(
      problems('kafka: { topic: a, dead_letter_topic: a }\n'),
      /kafka\.dead_letter_topic: the dead-letter topic must differ/,
    );
  });

  it('is documented in the README by the generated table', () => {
    assert.equal(
      reference.region(readFileSync(reference.readme, 'utf8')),
      reference.render(),
      'run `node audit/docs.ts --write`',
    );
  });
});
