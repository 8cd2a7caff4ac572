import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkAgentConfig } from '../../config/load.ts';
import { issuesOf, tmpConfig } from '../../config/test-helpers.ts';
import { composeTag, tailConfigFromValues } from './config.ts';
import { PathMatcher, splitList } from './discovery.ts';
import { tailConfigText, tailInstance, tempDir } from './test-helpers.ts';

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

test("config: defaults as Fluent Bit, case-insensitive keys, other layers' keys kept", () => {
  const input = tailInstance({ path: '/var/log/*.log, /tmp/x.log', parser: 'docker', 'db.SYNC': 'Full' });
  const config = tailConfigFromValues(input.values, input.tag);
  assert.deepEqual(config.paths, ['/var/log/*.log', '/tmp/x.log']);
  assert.equal(config.tag, 'tail.0'); // no Tag: the instance name, as Fluent Bit
  assert.equal(config.bufferChunkSize, 32_768);
  assert.equal(config.bufferMaxSize, 32_768);
  assert.equal(config.refreshIntervalMs, 60_000);
  assert.equal(config.rotateWaitMs, 5_000);
  assert.equal(config.readFromHead, false);
  assert.equal(config.readNewlyDiscoveredFromHead, true);
  assert.equal(config.skipLongLines, false);
  assert.equal(config.skipEmptyLines, false);
  assert.equal(config.dbSync, 'full');
  assert.equal(config.dbJournalMode, 'WAL');
  assert.equal(config.db, undefined);
  assert.equal(config.memBufLimit, 0);
  assert.equal(config.key, 'log');
  assert.equal(input.values.parser, 'docker');
});

test('config: units as Fluent Bit; Buffer_Max_Size follows a raised Buffer_Chunk_Size', () => {
  const of = (entries: Record<string, string>) => {
    const input = tailInstance({ Path: '/x', ...entries });
    return tailConfigFromValues(input.values, input.tag);
  };
  const c = of({
    Tag: 'kube.*',
    Buffer_Chunk_Size: '64k',
    Mem_Buf_Limit: '5MiB',
    Refresh_Interval: '250ms',
    Rotate_Wait: '1m',
    'DB.journal_mode': 'delete',
    Read_from_Head: 'on',
  });
  assert.equal(c.tag, 'kube.*');
  assert.equal(c.bufferChunkSize, 64_000);
  assert.equal(c.bufferMaxSize, 64_000);
  assert.equal(c.memBufLimit, 5 * 1024 * 1024);
  assert.equal(c.refreshIntervalMs, 250);
  assert.equal(c.rotateWaitMs, 60_000);
  assert.equal(c.dbJournalMode, 'DELETE');
  assert.equal(c.readFromHead, true);
  // A lowered chunk size leaves the default maximum; a given maximum is kept.
  assert.equal(of({ Buffer_Chunk_Size: '1k' }).bufferMaxSize, 32_768);
  assert.equal(of({ Buffer_Chunk_Size: '1k', Buffer_Max_Size: '2k' }).bufferMaxSize, 2_000);
});

test('config: bad values are issues at their file:line naming the key', () => {
  const bad = (entries: Record<string, string>): string[] =>
    issuesOf({ 'f.conf': tailConfigText(entries) }, 'f.conf', {});
  // Line 1 is [INPUT], 2 `Name tail`, then the given keys from line 3.
  assert.deepEqual(bad({}), ['f.conf:1: input plugin `tail` is missing the required key `Path`']);
  assert.deepEqual(bad({ Path: '/x', Skip_Long_Lines: 'maybe' }), [
    'f.conf:4: bad value for `Skip_Long_Lines` (input plugin `tail`): expected on/off, true/false or yes/no, got `maybe`',
  ]);
  const [tooSmall, ...more] = bad({ Path: '/x', Buffer_Max_Size: '1k', Buffer_Chunk_Size: '2k' });
  assert.deepEqual(more, []);
  assert.match(
    tooSmall ?? '',
    /^f\.conf:4: `Buffer_Max_Size` \(1000 bytes\) must be at least `Buffer_Chunk_Size` \(2000 bytes\)/,
  );
  assert.match(
    bad({ Path: '/x', Buffer_Max_Size: '16k' }).join('\n'),
    /^f\.conf:4: `Buffer_Max_Size` \(16000 bytes\) must be at least the default `Buffer_Chunk_Size` \(32768 bytes\)/,
  );
  assert.match(
    bad({ Path: '/x', Buffer_Chunk_Size: '0' }).join('\n'),
    /^f\.conf:4: `Buffer_Chunk_Size` must be at least 1 byte/,
  );
  assert.match(
    bad({ Path: '/x', Refresh_Interval: '0' }).join('\n'),
    /^f\.conf:4: `Refresh_Interval` must be more than 0/,
  );
  assert.match(
    bad({ Path: '/x', 'DB.sync': 'sometimes' }).join('\n'),
    /^f\.conf:4: bad value for `DB\.sync`.*`sometimes`/,
  );
  assert.match(
    bad({ Path: '/x', Mem_Buf_Limit: 'lots' }).join('\n'),
    /^f\.conf:4: bad value for `Mem_Buf_Limit`/,
  );
  assert.match(
    bad({ Path: '/x', Rotate_Wait: 'soon' }).join('\n'),
    /^f\.conf:4: bad value for `Rotate_Wait`/,
  );
  // The issues carry the key as written, as `tributary agent --dry-run` reports it.
  const dir = tmpConfig({
    'f.conf': tailConfigText({
      Path: '/x',
      buffer_chunk_size: '2k',
      buffer_max_size: '1k',
      Refresh_Interval: '0',
    }),
  });
  const r = checkAgentConfig(join(dir, 'f.conf'), { env: {} });
  assert.deepEqual(
    r.issues.map((i) => [i.file, i.line, i.key]),
    [
      [join(dir, 'f.conf'), 5, 'buffer_max_size'],
      [join(dir, 'f.conf'), 6, 'Refresh_Interval'],
    ],
  );
  assert.match(
    bad({ Path: '/x', Skip_Long_Line: 'on' }).join('\n'),
    /^f\.conf:4: unknown key `Skip_Long_Line`.*`Skip_Long_Lines`/,
  );
});

test('Tag `*` expands to the path as Fluent Bit does', () => {
  assert.equal(composeTag('kube.*', '/var/log/containers/a_b.log'), 'kube.var.log.containers.a_b.log');
  assert.equal(composeTag('app', '/x.log'), 'app');
  assert.equal(composeTag('*.in', '/a//b.log'), 'a.b.log.in');
});
