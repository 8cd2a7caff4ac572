import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PLUGINS } from '../config/registry.ts';
import { FILTER_FACTORIES } from './index.ts';

it('FILTER_FACTORIES has a factory for every filter the config registry accepts, and no other', () => {
  const registry = PLUGINS.filter((p) => p.kind === 'filter')
    .map((p) => p.name)
    .sort();
  assert.deepEqual(Object.keys(FILTER_FACTORIES).sort(), registry);
});
