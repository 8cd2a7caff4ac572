import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { issuesOf, loadOk } from './test-helpers.ts';

describe('YAML format', () => {
  test('service, pipeline, env, includes, parsers, multiline_parsers', () => {
    const c = loadOk(
      {
        'f.yaml': [
          'env:',
          '  FLUSH_INTERVAL: 2',
          'includes:',
          '  - inputs.yaml',
          'service:',
          '  flush: ${FLUSH_INTERVAL}',
          '  http_server: on',
          'parsers:',
          '  - name: p1',
          '    format: regex',
          "    regex: '^(?<a>\\w+)$'",
          'multiline_parsers:',
          '  - name: ml',
          '    type: regex',
          '    rules:',
          "      - {state: start_state, regex: '/^x/', next_state: cont}",
          "      - {state: cont, regex: '/^ /', next_state: cont}",
          'pipeline:',
          '  outputs:',
          '    - name: forward',
          "      match: '*'",
          '      port: 24240',
          '',
        ].join('\n'),
        'inputs.yaml':
          'pipeline:\n  inputs:\n    - name: tail\n      path: /a, /b\n      multiline.parser: [ml, cri]\n',
      },
      'f.yaml',
    );
    assert.equal(c.format, 'yaml');
    assert.equal(c.service.values.flush, 2);
    assert.equal(c.service.values.http_server, true);
    assert.deepEqual(c.inputs[0]?.values.path, ['/a', '/b']);
    assert.deepEqual(c.inputs[0]?.values['multiline.parser'], ['ml', 'cri']);
    assert.equal(c.outputs[0]?.values.port, 24240);
    assert.equal(c.multilineParsers.find((m) => m.name === 'ml')?.rules.length, 2);
  });

  test('scalars are read as written (`1.10` stays 1.10, `on` is a bool key value)', () => {
    const c = loadOk(
      {
        'f.yaml':
          "pipeline:\n  inputs:\n    - name: tcp\n      tag: 1.10\n  outputs:\n    - name: 'null'\n      match: '*'\n",
      },
      'f.yaml',
    );
    assert.equal(c.inputs[0]?.tag, '1.10');
  });

  test('errors carry YAML line numbers', () => {
    const issues = issuesOf(
      {
        'f.yaml': [
          'service:',
          '  flush: 1',
          '  flsh: 2',
          'pipeline:',
          '  inputs:',
          '    - name: tial',
          '    - name: tail',
          '      path: /x',
          '      read_from_head: maybe',
          '      buffer_chunk_size: 12q',
          '      processors: {logs: []}',
          '  outputs:',
          '    - name: es',
          '      port: abc',
          '      host: ${UNSET_VAR}',
          '    - match: x',
          '  filtres: []',
          'customs: []',
          '',
        ].join('\n'),
      },
      'f.yaml',
    );
    assert.deepEqual(
      issues.map((i) => i.replace(/^(f\.yaml:\d+): .*$/, '$1')),
      [
        'f.yaml:3',
        'f.yaml:6',
        'f.yaml:9',
        'f.yaml:10',
        'f.yaml:11',
        'f.yaml:14',
        'f.yaml:15',
        'f.yaml:16',
        'f.yaml:17',
        'f.yaml:18',
      ],
    );
    assert.match(issues[0] ?? '', /unknown key `flsh` for \[SERVICE\], did you mean `Flush`\?/);
    assert.match(issues[1] ?? '', /unknown input plugin `tial`, did you mean `tail`\?/);
    assert.match(issues[4] ?? '', /processors/);
    assert.match(issues[7] ?? '', /has no `Name`/);
    assert.match(issues[8] ?? '', /did you mean `filters`/);
    assert.match(issues[9] ?? '', /does not support/);
  });

  test('syntax errors, duplicate keys, truncated documents, wrong shapes', () => {
    assert.match(
      issuesOf({ 'f.yaml': 'pipeline:\n  inputs:\n    - name: tcp\n      port: [1, 2\n' }, 'f.yaml')[0] ?? '',
      /^f\.yaml:\d+: YAML syntax error/,
    );
    assert.match(
      issuesOf({ 'f.yaml': 'service:\n  flush: 1\n  flush: 2\n' }, 'f.yaml')[0] ?? '',
      /^f\.yaml:3: YAML syntax error: Map keys must be unique/,
    );
    assert.match(issuesOf({ 'f.yaml': '' }, 'f.yaml')[0] ?? '', /config is empty/);
    assert.match(issuesOf({ 'f.yaml': '- a\n- b\n' }, 'f.yaml')[0] ?? '', /top level must be a map/);
    assert.match(
      issuesOf({ 'f.yaml': 'pipeline:\n  inputs:\n    name: tcp\n' }, 'f.yaml')[0] ?? '',
      /must be a list of maps/,
    );
    assert.match(
      issuesOf({ 'f.yaml': 'pipeline:\n  inputs:\n    - name: tcp\n      port:\n' }, 'f.yaml')[0] ?? '',
      /^f\.yaml:4: key `port` has no value/,
    );
    assert.match(
      issuesOf({ 'f.yaml': 'pipeline:\n  inputs:\n    - name: tcp\n      port: {a: 1}\n' }, 'f.yaml')[0] ??
        '',
      /not a map/,
    );
    assert.match(
      issuesOf({ 'f.yaml': 'pipeline:\n  inputs:\n    - name: tcp\n      port: [1, 2]\n' }, 'f.yaml')[0] ??
        '',
      /single value, not a list/,
    );
  });

  test('include cycle in YAML', () => {
    const issues = issuesOf(
      { 'a.yaml': 'includes: [b.yaml]\n', 'b.yaml': 'includes:\n  - a.yaml\n' },
      'a.yaml',
    );
    assert.match(issues[0] ?? '', /^b\.yaml:2: include cycle: .*a\.yaml -> .*b\.yaml -> .*a\.yaml$/);
  });

  test('multiline rule maps need state, regex, next_state', () => {
    const issues = issuesOf(
      {
        'f.yaml':
          "multiline_parsers:\n  - name: m\n    rules:\n      - state: start_state\n        regex: '/x/'\n",
      },
      'f.yaml',
    );
    assert.match(issues[0] ?? '', /^f\.yaml:4: rule is missing `next_state`/);
  });
});
