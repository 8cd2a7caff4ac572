import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  auditDataStream,
  dataStreamName,
  deadLetterDataStream,
  indexNameProblem,
  logsDataStream,
  sanitiseDataset,
  sanitiseNamespace,
  tracesDataStream,
} from './naming.ts';

describe('data stream names', () => {
  it('follows type-dataset-namespace', () => {
    assert.equal(logsDataStream('orders', 'shop_prod'), 'logs-orders-shop_prod');
    assert.equal(tracesDataStream('default'), 'traces-zipkin-default');
    assert.equal(auditDataStream('shop'), 'logs-audit-shop');
    assert.equal(deadLetterDataStream('shop'), 'logs-tributary.dead_letter-shop');
  });

  it('refuses parts that did not go through the sanitisers', () => {
    for (const [ds, ns] of [
      ['a-b', 'x'],
      ['a', 'x-y'],
      ['A', 'x'],
      ['', 'x'],
      ['a', ''],
      ['a*', 'x'],
      ['a', 'x.y'],
      ['x'.repeat(101), 'x'],
    ] as const) {
      assert.throws(
        () => dataStreamName('logs', ds, ns),
        /refusing to build a data stream name/,
        `${ds} ${ns}`,
      );
    }
  });
});

describe('sanitiseDataset / sanitiseNamespace', () => {
  it('lower-cases and turns - and other characters into _', () => {
    assert.equal(sanitiseDataset('Orders-API'), 'orders_api');
    assert.equal(sanitiseDataset('nginx.access'), 'nginx.access');
    assert.equal(sanitiseNamespace('team-a'), 'team_a');
    assert.equal(sanitiseNamespace('kube-system'), 'kube_system');
  });

  const hostile = [
    '../../etc/passwd',
    '_all',
    '-leading',
    '+plus',
    '.kibana',
    '.',
    '..',
    'logs-*-*',
    'a,b',
    'a b',
    'a#b',
    'a:b',
    'a|b',
    'a\\b',
    'a/b',
    'a?b',
    'a"b',
    'a<b>',
    'a\u0000b',
    'a\nb',
    'ÄÖÜ-ünïcødé',
    '🚀rocket',
    '%2e%2e',
    '',
    '___',
    '-',
    'x'.repeat(10_000),
    'audit',
    'AUDIT',
    'tributary.dead_letter',
    'Tributary-Collector',
  ];

  it('always yields a valid part of a valid index name for hostile input', () => {
    for (const input of hostile) {
      const ds = sanitiseDataset(input);
      const ns = sanitiseNamespace(input);
      assert.match(ds, /^[a-z0-9][a-z0-9_.]{0,99}$/, JSON.stringify(input));
      assert.match(ns, /^[a-z0-9][a-z0-9_]{0,99}$/, JSON.stringify(input));
      assert.ok(!ds.endsWith('.') && !ds.endsWith('_'), JSON.stringify(input));
      for (const name of [logsDataStream(ds, ns), auditDataStream(ns), tracesDataStream(ns)]) {
        assert.equal(indexNameProblem(name), undefined, name);
        assert.equal(name.split('-').length, 3, name);
      }
    }
  });

  it('falls back when nothing usable is left', () => {
    assert.equal(sanitiseDataset('***'), 'generic');
    assert.equal(sanitiseDataset('', 'other'), 'other');
    assert.equal(sanitiseNamespace('🚀'), 'default');
  });

  it('truncates to 100 characters', () => {
    assert.equal(sanitiseDataset('a'.repeat(500)).length, 100);
    assert.equal(sanitiseNamespace('b'.repeat(500)).length, 100);
  });

  it('never lets a service write into a stream Tributary owns', () => {
    assert.equal(sanitiseDataset('audit'), 'svc_audit');
    assert.equal(sanitiseDataset('Audit'), 'svc_audit');
    assert.equal(sanitiseDataset('tributary.dead_letter'), 'svc_tributary.dead_letter');
    assert.equal(sanitiseDataset('tributary-collector'), 'svc_tributary_collector');
    assert.equal(sanitiseDataset('auditor'), 'auditor');
  });
});

describe('indexNameProblem', () => {
  it('accepts valid names', () => {
    assert.equal(indexNameProblem('logs-orders-default'), undefined);
    assert.equal(indexNameProblem('a'.repeat(255)), undefined);
  });
  it('names what is wrong', () => {
    assert.match(indexNameProblem('') ?? '', /empty/);
    assert.match(indexNameProblem('.') ?? '', /"\."/);
    assert.match(indexNameProblem('..') ?? '', /"\."/);
    assert.match(indexNameProblem('Logs') ?? '', /lower case/);
    assert.match(indexNameProblem('_all') ?? '', /cannot start/);
    assert.match(indexNameProblem('-x') ?? '', /cannot start/);
    assert.match(indexNameProblem('+x') ?? '', /cannot start/);
    for (const c of ['\\', '/', '*', '?', '"', '<', '>', '|', ',', ' ', '#', ':']) {
      assert.match(indexNameProblem(`a${c}b`) ?? '', /cannot contain/, c);
    }
    assert.match(indexNameProblem('a'.repeat(256)) ?? '', /255 bytes/);
    assert.match(indexNameProblem('é'.repeat(128)) ?? '', /255 bytes/);
  });
});
