import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileMatch, compileMatchRegex, compileRoute, compileTagExpander } from './match.ts';

describe('Match (Fluent Bit wildcard rules)', () => {
  const cases: [pattern: string, tag: string, expected: boolean][] = [
    ['*', 'anything.at.all', true],
    ['*', '', true],
    ['my_cpu', 'my_cpu', true],
    ['my_cpu', 'my_cpu2', false],
    ['my_*', 'my_cpu', true],
    ['my_*', 'my_', true],
    ['my_*', 'xmy_cpu', false],
    ['kube.*', 'kube.var.log.containers.a_b_c.log', true], // `*` crosses dots
    ['kube.*', 'kube', false],
    ['*.log', 'kube.var.log.containers.a.log', true],
    ['*.log', 'a.logx', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXcYYb', false],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['**', 'x', true],
    ['a**b', 'aXb', true],
    ['Kube.*', 'kube.x', false], // case-sensitive
    ['app.?', 'app.x', false], // no `?` wildcard in Fluent Bit
    ['app.?', 'app.?', true],
    ['x.[ab]', 'x.[ab]', true], // brackets are literal
    ['from.*.out', 'from.test_tag.new.fluent.bit.out', true],
  ];
  for (const [pattern, tag, expected] of cases) {
    test(`${pattern} vs ${JSON.stringify(tag)} → ${expected}`, () => {
      assert.equal(compileMatch(pattern)(tag), expected);
    });
  }
});

describe('Match_Regex (anchored at the start only, non-empty match)', () => {
  const cases: [re: string, tag: string, expected: boolean][] = [
    ['.*_sensor_[AB]', 'temp_sensor_A', true],
    ['.*_sensor_[AB]', 'temp_sensor_C', false],
    ['sensor', 'temp_sensor', false], // not a search: onig_match anchors at the start
    ['temp', 'temperature', true], // the end is not anchored
    ['^temp$', 'temperature', false],
    ['x*', 'abc', false], // zero-length match does not count
    ['kube\\..*', 'kube.a', true],
  ];
  for (const [re, tag, expected] of cases) {
    test(`${re} vs ${tag} → ${expected}`, () => assert.equal(compileMatchRegex(re)(tag), expected));
  }
  test('a regex is reusable: lastIndex does not leak between calls', () => {
    const m = compileMatchRegex('a');
    assert.equal(m('a'), true);
    assert.equal(m('a'), true);
  });
  test('invalid regex throws SyntaxError', () => assert.throws(() => compileMatchRegex('('), SyntaxError));
});

describe('route', () => {
  test('Match or Match_Regex', () => {
    const r = compileRoute('a.*', 'b');
    assert.ok(r);
    assert.equal(r('a.x'), true);
    assert.equal(r('bx'), true);
    assert.equal(r('cx'), false);
  });
  test('neither → undefined (nothing routed)', () =>
    assert.equal(compileRoute(undefined, undefined), undefined));
});

describe('tail Tag expansion', () => {
  const cases: [tag: string, path: string, expected: string][] = [
    ['kube.*', '/var/log/containers/a_b_c.log', 'kube.var.log.containers.a_b_c.log'],
    ['*', '/var/log/syslog', 'var.log.syslog'],
    ['app.*.log', '/srv/x/y', 'app.srv.x.y.log'],
    ['x.*', 'relative/file.log', 'x.relative.file.log'],
    ['x*', '/a//b', 'x.a.b'], // repeated separators collapse
    ['a.*.*', '/f', 'a.f'], // only the first `*` expands; others vanish, trailing dot goes
    ['win.*', 'C:\\logs\\a.log', 'win.C.logs.a.log'],
    ['static', '/var/log/a.log', 'static'],
  ];
  for (const [tag, path, expected] of cases) {
    test(`${tag} + ${path} → ${expected}`, () => assert.equal(compileTagExpander(tag)(path), expected));
  }

  const k8s =
    '(?<pod_name>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)_(?<namespace_name>[^_]+)_(?<container_name>.+)-(?<docker_id>[a-z0-9]{64})\\.log$';
  const id = 'a'.repeat(64);
  test('Tag_Regex named groups fill <name> placeholders', () => {
    const t = compileTagExpander('kube.<namespace_name>.<pod_name>.<container_name>', k8s);
    assert.equal(t(`/var/log/containers/web-1_shop_nginx-${id}.log`), 'kube.shop.web-1.nginx');
  });
  test('unknown or empty group → `_`', () => {
    const t = compileTagExpander('a.<nope>.<b>', '(?<b>x*)y');
    assert.equal(t('/y'), 'a._._');
  });
  test('no Tag_Regex match → undefined (the file gets no tag)', () => {
    assert.equal(compileTagExpander('kube.<pod_name>', k8s)('/var/log/other.log'), undefined);
  });
  test('unclosed placeholder is an error', () => {
    assert.throws(() => compileTagExpander('kube.<pod_name', k8s), /missing closing `>`/);
  });
});
