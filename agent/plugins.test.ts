import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PLUGINS } from './config/registry.ts';
import { FILTER_LOADERS, INPUT_LOADERS, OUTPUT_LOADERS, loadPluginFactories } from './plugins.ts';

it('there is a plugin for every plugin the config registry accepts, and no other', async () => {
  const registered = (kind: string) =>
    PLUGINS.filter((p) => p.kind === kind)
      .map((p) => p.name)
      .sort();
  assert.deepEqual(Object.keys(INPUT_LOADERS).sort(), registered('input'));
  assert.deepEqual(Object.keys(FILTER_LOADERS).sort(), registered('filter'));
  assert.deepEqual(Object.keys(OUTPUT_LOADERS).sort(), registered('output'));
  const all = await loadPluginFactories();
  for (const f of [
    ...Object.values(all.inputs),
    ...Object.values(all.filters),
    ...Object.values(all.outputs),
  ])
    assert.equal(typeof f, 'function');
});
