import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { reference } from './docs.ts';

test('the README config reference matches the schemas (run `node collector/docs.ts --write`)', () => {
  assert.equal(reference.region(readFileSync(reference.readme, 'utf8')), reference.render());
});
