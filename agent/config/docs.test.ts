import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { README_PATH, keyTable, renderKeyTables, updateReadme } from './docs.ts';
import { PLUGINS } from './registry.ts';

test('README key tables are generated from the registry (run `node agent/config/docs.ts --write`)', () => {
  const readme = readFileSync(README_PATH, 'utf8');
  assert.equal(
    readme,
    updateReadme(readme),
    'agent/config/README.md is stale: run `node agent/config/docs.ts --write`',
  );
});

test('every plugin and key appears in the rendered tables', () => {
  const md = renderKeyTables();
  for (const p of PLUGINS) {
    assert.ok(md.includes(`#### ${p.kind} \`${p.name}\``), p.name);
    for (const k of p.keys)
      assert.ok(md.includes(`| \`${k.prefix ? `${k.name}N` : k.name}\` |`), `${p.name}.${k.name}`);
  }
});

test('table cells escape pipes and mark refused keys', () => {
  const md = keyTable([
    { name: 'A', type: 'string', description: 'x | y' },
    { name: 'B', type: 'bool', description: 'old', unsupported: 'use C' },
  ]);
  assert.match(md, /x \\\| y/);
  assert.match(md, /\*\*Not supported\*\* \(error\): use C\./);
});
