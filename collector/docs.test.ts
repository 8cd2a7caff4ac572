import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configReference, README, readmeRegion } from './docs.ts';

test('the README config reference matches the schemas (run `node collector/docs.ts --write`)', () => {
  assert.equal(readmeRegion(readFileSync(README, 'utf8'))?.trim(), configReference().trim());
});
