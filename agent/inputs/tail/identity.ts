// File identity for the tail input: which file is this, independent of its name?
//
// A path is not an identity (rotation renames files, kubelet re-points symlinks), and an inode alone
// is not one either (a deleted file's inode is soon handed to a new file; Fluent Bit then resumes
// the new file at the old offset and silently skips its head). So a file is identified by:
//
//   dev + ino      which inode on which filesystem (stable across rename)
//   birth          the inode's creation time in ns where the filesystem reports it (0 otherwise):
//                  a reused inode gets a new birth time even if its first line is byte-identical
//   fingerprint    a hash of the file's first line, capped at FINGERPRINT_MAX bytes
//   gen            bumped each time the same inode is truncated (copytruncate), because the new
//                  content may start with the very same first line and must still get new event ids
//
// Why the first *line* and not "the first N bytes": event ids are derived from the identity, so the
// fingerprint must be fixed before the first line is emitted and identical when recomputed after a
// restart. A file that is 40 bytes long now and 4 kB later would otherwise change fingerprint as it
// grows. A line is only ever emitted once its newline is in the file, and the first line never
// changes in an append-only file, so "bytes up to and including the first newline, at most
// FINGERPRINT_MAX" is known and stable at the moment it is first needed. Until the first newline
// (or FINGERPRINT_MAX bytes) exists, the fingerprint is *pending* and nothing has been emitted.
import { hash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { read as readCb } from 'node:fs';

/** Bytes of the first line that go into the fingerprint. Longer first lines are cut here. */
export const FINGERPRINT_MAX = 256;

export interface FileIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
  /** Inode birth time in ns; 0n where the filesystem does not report it. */
  readonly birth: bigint;
}

export interface Fingerprint {
  /** 16 hex digits: the first 64 bits of SHA-256 over `length` bytes from offset 0. */
  readonly hash: string;
  /** How many bytes from offset 0 the hash covers. */
  readonly length: number;
  /** True when `length` reaches a newline or FINGERPRINT_MAX (the value can no longer change). */
  readonly complete: boolean;
}

export function identityOf(st: BigIntStats): FileIdentity {
  return { dev: st.dev, ino: st.ino, birth: st.birthtimeNs };
}

/** Same inode on the same filesystem (the name may differ). */
export function sameInode(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** Same inode *and* the same life of it: a reused inode has another birth time. */
export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return sameInode(a, b) && (a.birth === 0n || b.birth === 0n || a.birth === b.birth);
}

export function inodeKey(id: FileIdentity): string {
  return `${id.dev}:${id.ino}`;
}

/**
 * Fingerprint of a file's head. `head` holds the file's first bytes (as many as were read, up to
 * FINGERPRINT_MAX). `final` forces a result from a head with no newline (used when a file is
 * closed with only a partial first line: it will not grow any more as far as we are concerned).
 */
export function fingerprintOf(head: Buffer, final = false): Fingerprint | undefined {
  const nl = head.indexOf(10);
  let length: number;
  let complete = true;
  if (nl !== -1 && nl < FINGERPRINT_MAX) length = nl + 1;
  else if (head.length >= FINGERPRINT_MAX) length = FINGERPRINT_MAX;
  else if (final) {
    length = head.length;
    complete = false;
  } else return undefined;
  return { hash: hashPrefix(head.subarray(0, length)), length, complete };
}

export function hashPrefix(bytes: Buffer): string {
  return hash('sha256', bytes, 'hex').slice(0, 16);
}

/**
 * The id downstream uses to build event ids: stable across rename and restart, different for a
 * reused inode and for each truncation generation. Plain text (not a hash) so that an operator can
 * tell from an event id which device/inode it came from.
 */
export function formatFileId(id: FileIdentity, fp: Fingerprint, gen: number): string {
  const base = `${id.dev.toString(36)}.${id.ino.toString(36)}.${id.birth.toString(36)}.${fp.hash}`;
  return gen === 0 ? base : `${base}.${gen}`;
}

/** Event id of the line starting at `offsetStart` in file `fileId` (see DESIGN "Delivery guarantees"). */
export function lineEventId(fileId: string, offsetStart: number): string {
  return `${fileId}-${offsetStart.toString(36)}`;
}

/** Reads up to `length` bytes at `position` (a short read only at EOF). */
export function preadAsync(fd: number, length: number, position: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    const step = (): void => {
      readCb(fd, buf, got, length - got, position + got, (err, n) => {
        if (err) return reject(err);
        got += n;
        if (n === 0 || got === length) resolve(buf.subarray(0, got));
        else step();
      });
    };
    if (length === 0) resolve(buf);
    else step();
  });
}
