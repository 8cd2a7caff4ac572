// The tail input's offsets DB (`DB` key): where each file was acknowledged up to, surviving restarts.
//
// SQLite like Fluent Bit, and the same table: `in_tail_files (id, name, offset, inode, created,
// rotated)` with Fluent Bit's column order, so Fluent Bit's positional reads still work. Tributary
// adds columns after those (dev, birth, fp, fp_len, gen): opening a Fluent Bit DB adds them with
// ALTER TABLE and its rows are adopted (matched by inode *and* name, since they carry no device or
// fingerprint); Fluent Bit can open a Tributary DB and sees its own six columns.
//
// Differences in meaning: `offset` here is the *acknowledged* offset (Fluent Bit stores what it has
// read into its buffers); `inode` and `dev` are stored as signed 64-bit (SQLite has no unsigned type)
// and converted back.
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';

export type DbSync = 'extra' | 'full' | 'normal' | 'off';

export interface OffsetsDbOptions {
  /** DB.sync: SQLite `synchronous`. `normal` with WAL survives a process crash; `full` also a power cut. */
  readonly sync?: DbSync;
  /** DB.locking: exclusive locking mode (no other process may open the DB meanwhile). */
  readonly locking?: boolean;
  /** DB.journal_mode: WAL by default, as Fluent Bit. */
  readonly journalMode?: 'WAL' | 'DELETE' | 'TRUNCATE' | 'PERSIST' | 'MEMORY' | 'OFF';
}

export interface OffsetRow {
  readonly id: number;
  readonly name: string;
  readonly offset: number;
  /** null for rows written by Fluent Bit (no device recorded). */
  readonly dev: bigint | null;
  readonly ino: bigint;
  readonly birth: bigint | null;
  readonly fp: string | null;
  readonly fpLen: number;
  readonly gen: number;
  readonly rotated: boolean;
}

export interface NewOffsetRow {
  readonly name: string;
  readonly offset: number;
  readonly dev: bigint;
  readonly ino: bigint;
  readonly birth: bigint;
  readonly fp: string | null;
  readonly fpLen: number;
  readonly gen: number;
}

const CREATE = `CREATE TABLE IF NOT EXISTS in_tail_files (
  id      INTEGER PRIMARY KEY,
  name    TEXT NOT NULL,
  offset  INTEGER,
  inode   INTEGER,
  created INTEGER,
  rotated INTEGER DEFAULT 0
)`;

const EXTRA_COLUMNS: readonly (readonly [string, string])[] = [
  ['dev', 'INTEGER'],
  ['birth', 'INTEGER'],
  ['fp', 'TEXT'],
  ['fp_len', 'INTEGER DEFAULT 0'],
  ['gen', 'INTEGER DEFAULT 0'],
];

const COLUMNS = 'id, name, offset, inode, rotated, dev, birth, fp, fp_len, gen';

interface RawRow {
  id: bigint;
  name: string;
  offset: bigint | null;
  inode: bigint | null;
  rotated: bigint | null;
  dev: bigint | null;
  birth: bigint | null;
  fp: string | null;
  fp_len: bigint | null;
  gen: bigint | null;
}

const toU64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const toI64 = (v: bigint): bigint => BigInt.asIntN(64, v);

export class OffsetsDb {
  readonly path: string;
  private readonly db: DatabaseSync;
  private readonly stmtByInode: StatementSync;
  private readonly stmtAll: StatementSync;
  private readonly stmtInsert: StatementSync;
  private readonly stmtOffset: StatementSync;
  private readonly stmtIdentity: StatementSync;
  private readonly stmtRotated: StatementSync;
  private readonly stmtDelete: StatementSync;

  /** `path` of ':memory:' gives a DB that lives as long as the input (no `DB` configured). */
  constructor(path: string, opts: OffsetsDbOptions = {}) {
    this.path = path;
    this.db = new DatabaseSync(path);
    if (path !== ':memory:') {
      this.db.exec(`PRAGMA journal_mode=${opts.journalMode ?? 'WAL'}`);
      this.db.exec(`PRAGMA synchronous=${(opts.sync ?? 'normal').toUpperCase()}`);
      if (opts.locking === true) this.db.exec('PRAGMA locking_mode=EXCLUSIVE');
    }
    this.db.exec(CREATE);
    const have = new Set(
      (this.db.prepare('PRAGMA table_info(in_tail_files)').all() as { name: string }[]).map((c) => c.name),
    );
    for (const [name, type] of EXTRA_COLUMNS) {
      if (!have.has(name)) this.db.exec(`ALTER TABLE in_tail_files ADD COLUMN ${name} ${type}`);
    }
    this.db.exec('CREATE INDEX IF NOT EXISTS in_tail_files_inode ON in_tail_files (inode)');
    const prep = (sql: string): StatementSync => {
      const s = this.db.prepare(sql);
      s.setReadBigInts(true);
      return s;
    };
    this.stmtByInode = prep(`SELECT ${COLUMNS} FROM in_tail_files WHERE inode = ? ORDER BY id DESC`);
    this.stmtAll = prep(`SELECT ${COLUMNS} FROM in_tail_files ORDER BY id`);
    this.stmtInsert = prep(
      `INSERT INTO in_tail_files (name, offset, inode, created, rotated, dev, birth, fp, fp_len, gen)
       VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?)`,
    );
    this.stmtOffset = prep('UPDATE in_tail_files SET offset = ? WHERE id = ?');
    this.stmtIdentity = prep(
      `UPDATE in_tail_files SET name = ?, offset = ?, dev = ?, birth = ?, fp = ?, fp_len = ?, gen = ?, rotated = 0
       WHERE id = ?`,
    );
    this.stmtRotated = prep('UPDATE in_tail_files SET name = ?, rotated = 1 WHERE id = ?');
    this.stmtDelete = prep('DELETE FROM in_tail_files WHERE id = ?');
  }

  /** Rows for this inode: ours for this device, and Fluent Bit's (no device), newest first. */
  byInode(dev: bigint, ino: bigint): OffsetRow[] {
    return (this.stmtByInode.all(toI64(ino)) as unknown as RawRow[])
      .map(fromRaw)
      .filter((r) => r.dev === null || r.dev === dev);
  }

  all(): OffsetRow[] {
    return (this.stmtAll.all() as unknown as RawRow[]).map(fromRaw);
  }

  insert(row: NewOffsetRow): number {
    const r = this.stmtInsert.run(
      row.name,
      row.offset,
      toI64(row.ino),
      Math.floor(Date.now() / 1000),
      toI64(row.dev),
      toI64(row.birth),
      row.fp,
      row.fpLen,
      row.gen,
    );
    return Number(r.lastInsertRowid);
  }

  /** Rewrites a row for a (new life of an) inode: adoption of a Fluent Bit row, truncation, reuse. */
  setIdentity(id: number, row: NewOffsetRow): void {
    this.stmtIdentity.run(
      row.name,
      row.offset,
      toI64(row.dev),
      toI64(row.birth),
      row.fp,
      row.fpLen,
      row.gen,
      id,
    );
  }

  markRotated(id: number, name: string): void {
    this.stmtRotated.run(name, id);
  }

  delete(id: number): void {
    this.stmtDelete.run(id);
  }

  /** Writes many offsets in one transaction (one fsync with DB.sync full). */
  setOffsets(updates: Iterable<readonly [id: number, offset: number]>): void {
    this.db.exec('BEGIN');
    try {
      for (const [id, offset] of updates) this.stmtOffset.run(offset, id);
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

function fromRaw(r: RawRow): OffsetRow {
  return {
    id: Number(r.id),
    name: r.name,
    offset: Number(r.offset ?? 0n),
    dev: r.dev === null ? null : toU64(r.dev),
    ino: toU64(r.inode ?? 0n),
    birth: r.birth === null ? null : toU64(r.birth),
    fp: r.fp,
    fpLen: Number(r.fp_len ?? 0n),
    gen: Number(r.gen ?? 0n),
    rotated: (r.rotated ?? 0n) !== 0n,
  };
}
