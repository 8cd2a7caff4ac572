import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { TailConfigError, composeTag, parseTailConfig } from './config.ts';
import { PathMatcher, splitList } from './discovery.ts';
import { tempDir } from './test-helpers.ts';

async function touch(...paths: string[]): Promise<void> {
  for (const p of paths) {
    await mkdir(join(p, '..'), { recursive: true });
    await writeFile(p, 'x\n');
  }
}

test('globs, comma lists and exclusions', async (t) => {
  const d = await tempDir(t);
  await touch(
    join(d, 'containers/a.log'),
    join(d, 'containers/b.log'),
    join(d, 'containers/b.log.gz'),
    join(d, 'containers/.hidden.log'),
    join(d, 'containers/skip-me.log'),
    join(d, 'app/one.txt'),
    join(d, 'app/nested/two.txt'),
  );
  await mkdir(join(d, 'containers/dir.log'));
  const m = new PathMatcher(
    splitList(`${d}/containers/*.log, ${d}/app/*.txt ,${d}/missing/*.log`),
    splitList('*skip-*,*.gz'),
  );
  assert.deepEqual(await m.scan(), [
    join(d, 'app/one.txt'),
    join(d, 'containers/a.log'),
    join(d, 'containers/b.log'),
  ]);
  assert.equal(m.matches(join(d, 'containers/new.log')), true);
  assert.equal(m.matches(join(d, 'containers/skip-new.log')), false);
  assert.equal(m.matches(join(d, 'containers/x.txt')), false);
});

test('`**` matches any depth, `?` and classes one component; symlinks are followed', async (t) => {
  const d = await tempDir(t);
  await touch(join(d, 'a/x1.log'), join(d, 'a/b/x2.log'), join(d, 'a/b/c/x3.log'), join(d, 'a/b/c/y.log'));
  await mkdir(join(d, 'links'));
  await symlink(join(d, 'a/b/c/y.log'), join(d, 'links/y-link.log'));
  const deep = new PathMatcher([`${d}/a/**/x?.log`]);
  assert.deepEqual(await deep.scan(), [join(d, 'a/b/c/x3.log'), join(d, 'a/b/x2.log'), join(d, 'a/x1.log')]);
  const cls = new PathMatcher([`${d}/a/b/x[0-2].log`, `${d}/links/*.log`]);
  assert.deepEqual(await cls.scan(), [join(d, 'a/b/x2.log'), join(d, 'links/y-link.log')]);
  // A literal path is returned as is (its existence is checked when opening).
  assert.deepEqual(await new PathMatcher([join(d, 'a/x1.log')]).scan(), [join(d, 'a/x1.log')]);
});

test('config: defaults as Fluent Bit, case-insensitive keys, unknown keys handed back', () => {
  const { config, rest } = parseTailConfig({
    path: '/var/log/*.log, /tmp/x.log',
    parser: 'docker',
    'db.SYNC': 'Full',
  });
  assert.deepEqual(config.paths, ['/var/log/*.log', '/tmp/x.log']);
  assert.equal(config.bufferChunkSize, 32_000);
  assert.equal(config.bufferMaxSize, 32_000);
  assert.equal(config.refreshIntervalMs, 60_000);
  assert.equal(config.rotateWaitMs, 5_000);
  assert.equal(config.readFromHead, false);
  assert.equal(config.readNewlyDiscoveredFromHead, true);
  assert.equal(config.skipLongLines, false);
  assert.equal(config.dbSync, 'full');
  assert.equal(config.memBufLimit, 0);
  assert.equal(config.key, 'log');
  assert.deepEqual(rest, { parser: 'docker' });
  // Buffer_Max_Size follows a raised Buffer_Chunk_Size when not given.
  assert.equal(parseTailConfig({ Path: '/x', Buffer_Chunk_Size: '64k' }).config.bufferMaxSize, 64_000);
});

test('config: bad values are errors naming the key', () => {
  assert.throws(() => parseTailConfig({}), /Path: is required/);
  assert.throws(() => parseTailConfig({ Path: '/x', Skip_Long_Lines: 'maybe' }), TailConfigError);
  assert.throws(
    () => parseTailConfig({ Path: '/x', Buffer_Max_Size: '1k', Buffer_Chunk_Size: '2k' }),
    /Buffer_Max_Size/,
  );
  assert.throws(() => parseTailConfig({ Path: '/x', 'DB.sync': 'sometimes' }), /DB.sync/);
  assert.throws(() => parseTailConfig({ Path: '/x', Mem_Buf_Limit: 'lots' }), /Mem_Buf_Limit/);
});

test('Tag `*` expands to the path as Fluent Bit does', () => {
  assert.equal(composeTag('kube.*', '/var/log/containers/a_b.log'), 'kube.var.log.containers.a_b.log');
  assert.equal(composeTag('app', '/x.log'), 'app');
  assert.equal(composeTag('*.in', '/a//b.log'), 'a.b.log.in');
});
