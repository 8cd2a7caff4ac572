import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { FINGERPRINT_MAX, fingerprintOf, formatFileId, sameFile } from './identity.ts';
import { OffsetsDb } from './offsets-db.ts';
import { tempDir } from './test-helpers.ts';

test('rows survive reopening; 64-bit inodes round-trip', async (t) => {
  const path = join(await tempDir(t), 'tail.db');
  const big = 2n ** 63n + 12345n; // above SQLite's signed range
  let db = new OffsetsDb(path, { sync: 'full' });
  const id = db.insert({
    name: '/a.log',
    offset: 10,
    dev: 66n,
    ino: big,
    birth: 5n,
    fp: 'abc',
    fpLen: 4,
    gen: 0,
  });
  db.setOffsets([[id, 99]]);
  db.markRotated(id, '/a.log.1');
  db.close();
  db = new OffsetsDb(path);
  const rows = db.byInode(66n, big);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0], {
    id,
    name: '/a.log.1',
    offset: 99,
    dev: 66n,
    ino: big,
    birth: 5n,
    fp: 'abc',
    fpLen: 4,
    gen: 0,
    rotated: true,
  });
  assert.deepEqual(db.byInode(67n, big), []);
  db.delete(id);
  assert.deepEqual(db.all(), []);
  db.close();
});

test('a Fluent Bit DB is opened: its rows are read, our columns added, its columns keep their order', async (t) => {
  const path = join(await tempDir(t), 'fluent-bit.db');
  const fb = new DatabaseSync(path);
  fb.exec(`CREATE TABLE IF NOT EXISTS in_tail_files (id INTEGER PRIMARY KEY, name TEXT NOT NULL,
    offset INTEGER, inode INTEGER, created INTEGER, rotated INTEGER DEFAULT 0);`);
  fb.exec(
    `INSERT INTO in_tail_files (name, offset, inode, created) VALUES ('/var/log/x.log', 1234, 777, 1700000000)`,
  );
  fb.close();
  const db = new OffsetsDb(path);
  const [row] = db.byInode(1n, 777n);
  assert.equal(row?.name, '/var/log/x.log');
  assert.equal(row.offset, 1234);
  assert.equal(row.dev, null);
  assert.equal(row.fp, null);
  db.close();
  // Fluent Bit reads columns by position: id, name, offset, inode, created, rotated come first.
  const check = new DatabaseSync(path);
  const cols = (check.prepare('PRAGMA table_info(in_tail_files)').all() as { name: string }[]).map(
    (c) => c.name,
  );
  assert.deepEqual(cols.slice(0, 6), ['id', 'name', 'offset', 'inode', 'created', 'rotated']);
  check.close();
});

test('fingerprint: first line up to 256 bytes; pending until a newline or 256 bytes exist', () => {
  assert.equal(fingerprintOf(Buffer.from('no newline yet')), undefined);
  const a = fingerprintOf(Buffer.from('first line\nsecond'));
  assert.equal(a?.length, 11);
  assert.equal(a.complete, true);
  // Growing the file does not change it.
  assert.deepEqual(fingerprintOf(Buffer.from('first line\nsecond line\nthird\n')), a);
  const long = fingerprintOf(Buffer.alloc(FINGERPRINT_MAX + 10, 0x41));
  assert.equal(long?.length, FINGERPRINT_MAX);
  const weak = fingerprintOf(Buffer.from('partial'), true);
  assert.deepEqual([weak?.length, weak?.complete], [7, false]);
  assert.notEqual(fingerprintOf(Buffer.from('other line\n'))?.hash, a.hash);
});

test('file ids differ by device, inode, birth, first line and truncation generation', () => {
  const fp = fingerprintOf(Buffer.from('x\n'));
  assert.ok(fp);
  const id = { dev: 1n, ino: 2n, birth: 3n };
  const ids = new Set([
    formatFileId(id, fp, 0),
    formatFileId({ ...id, dev: 9n }, fp, 0),
    formatFileId({ ...id, ino: 9n }, fp, 0),
    formatFileId({ ...id, birth: 9n }, fp, 0),
    formatFileId(id, fingerprintOf(Buffer.from('y\n')) ?? fp, 0),
    formatFileId(id, fp, 1),
  ]);
  assert.equal(ids.size, 6);
  assert.equal(sameFile(id, { ...id, birth: 4n }), false);
  assert.equal(sameFile(id, { ...id, birth: 0n }), true); // filesystem without birth times
});
