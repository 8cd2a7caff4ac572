import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinnedVersion } from './server.ts';
import { loadStackSettings } from './settings.ts';

test('pinned versions come from the Maven descriptors in deploy/local', () => {
  const settings = loadStackSettings();
  assert.match(pinnedVersion(settings, 'elasticsearch'), /^8\.\d+\.\d+$/);
  assert.match(pinnedVersion(settings, 'kafka'), /^3\.9\.\d+$/);
  assert.match(pinnedVersion(settings, 'zipkin'), /^3\.\d+\.\d+$/);
});

test('a descriptor without <server.version> is a clear error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-pom-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'zipkin'));
  await writeFile(join(dir, 'zipkin', 'pom.xml'), '<project></project>');
  const settings = { ...loadStackSettings(), descriptors: dir };
  assert.throws(() => pinnedVersion(settings, 'zipkin'), /pom\.xml has no <server\.version> property/);
});
