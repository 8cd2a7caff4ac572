// Cursor files: `<name>.cursor`, one small JSON document each, replaced atomically (temp + fsync + rename +
// directory fsync) so a crash leaves either the old or the new position, never a mix. JSON keeps them easy
// to inspect by hand; the checksum catches edits and bit rot that would still parse.

import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

export const CURSOR_SUFFIX = '.cursor';
const CURSOR_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** The next record a cursor will read: its sequence number, and where it starts on disk. */
export interface Pointer {
  readonly seq: number;
  /** Base sequence number (file name) of the segment. */
  readonly segment: number;
  /** Byte offset inside that segment. */
  readonly offset: number;
}

export function isValidCursorName(name: string): boolean {
  return CURSOR_NAME.test(name);
}

export function cursorFilePath(dir: string, name: string): string {
  return join(dir, `${name}${CURSOR_SUFFIX}`);
}

function checksum(p: Pointer): number {
  return crc32(`1:${p.seq}:${p.segment}:${p.offset}`);
}

export function encodeCursor(p: Pointer): string {
  return `${JSON.stringify({ version: 1, seq: p.seq, segment: p.segment, offset: p.offset, checksum: checksum(p) })}\n`;
}

export type CursorFileContent =
  | { readonly kind: 'missing' }
  | { readonly kind: 'ok'; readonly pointer: Pointer }
  | { readonly kind: 'corrupt'; readonly reason: string };

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

export function decodeCursor(text: string): CursorFileContent {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { kind: 'corrupt', reason: text.length === 0 ? 'empty file' : 'not valid JSON (truncated?)' };
  }
  if (typeof doc !== 'object' || doc === null) return { kind: 'corrupt', reason: 'not a JSON object' };
  const { version, seq, segment, offset, checksum: sum } = doc as Record<string, unknown>;
  if (version !== 1) return { kind: 'corrupt', reason: `unsupported version ${JSON.stringify(version)}` };
  if (!isCount(seq) || !isCount(segment) || !isCount(offset)) {
    return { kind: 'corrupt', reason: 'seq, segment and offset must be non-negative integers' };
  }
  const pointer = { seq, segment, offset };
  if (sum !== checksum(pointer)) return { kind: 'corrupt', reason: 'checksum mismatch' };
  if (segment > seq) return { kind: 'corrupt', reason: 'segment base is past the sequence number' };
  return { kind: 'ok', pointer };
}

export async function readCursorFile(dir: string, name: string): Promise<CursorFileContent> {
  let text: string;
  try {
    text = await readFile(cursorFilePath(dir, name), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw err;
  }
  return decodeCursor(text);
}

export async function fsyncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function writeCursorFile(dir: string, name: string, p: Pointer): Promise<void> {
  const target = cursorFilePath(dir, name);
  // One writer per cursor at a time (the Cursor serialises its writes), so a fixed temp name is safe.
  const temp = `${target}.tmp`;
  const fh = await open(temp, 'w');
  try {
    await fh.writeFile(encodeCursor(p));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(temp, target);
  await fsyncDirectory(dir);
}
