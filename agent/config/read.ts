import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import picomatch from 'picomatch';

/** Largest config file read (each file: main, includes, parsers files). */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;
/** Fluent Bit's FLB_CF_FILE_NUM_LIMIT: at most this many files per config. */
export const MAX_CONFIG_FILES = 1000;

export type ReadResult = { ok: true; text: string } | { ok: false; message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a config file as UTF-8 text, never more than `maxBytes` + 1 bytes whatever `stat`
 * says (a FIFO or /dev/zero must not hang us or eat memory), and refuses binary content.
 */
export function readConfigText(path: string, maxBytes = MAX_CONFIG_FILE_BYTES): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { ok: false, message: e.code === 'ENOENT' ? 'no such file' : `cannot read: ${e.message}` };
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { ok: false, message: 'cannot read: is a directory' };
    if (st.isFile() && st.size > maxBytes) return { ok: false, message: tooBig(maxBytes, st.size) };
    const buf = Buffer.allocUnsafe(maxBytes + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n > maxBytes) return { ok: false, message: tooBig(maxBytes) };
    }
    return decode(buf.subarray(0, n));
  } catch (err) {
    return { ok: false, message: `cannot read: ${(err as Error).message}` };
  } finally {
    closeSync(fd);
  }
}

/** Same checks for text already in hand (tests, SIGHUP reload from a ConfigMap). */
export function checkConfigText(text: string | Uint8Array, maxBytes = MAX_CONFIG_FILE_BYTES): ReadResult {
  const bytes = typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength;
  if (bytes > maxBytes) return { ok: false, message: tooBig(maxBytes, bytes) };
  if (typeof text !== 'string') return decode(text);
  const nul = text.indexOf('\0');
  if (nul !== -1) return { ok: false, message: `not a text file: NUL character at offset ${nul}` };
  return { ok: true, text };
}

function decode(bytes: Uint8Array): ReadResult {
  const nul = bytes.indexOf(0);
  if (nul !== -1) return { ok: false, message: `not a text file: NUL byte at offset ${nul}` };
  try {
    let text = utf8.decode(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { ok: true, text };
  } catch {
    return { ok: false, message: 'not a text file: invalid UTF-8' };
  }
}

function tooBig(max: number, size?: number): string {
  return `config file too large: limit is ${max} bytes, file has ${size === undefined ? 'more' : `${size} bytes`}`;
}

export function hasGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

/**
 * Expands a glob the way Fluent Bit's `@INCLUDE` does with glob(3): wildcards may appear
 * in any path segment, `*` does not cross `/`, dot files are not matched by `*`. Results
 * are sorted (Fluent Bit passes GLOB_NOSORT, so its order is unspecified; sorted is the
 * order users expect and makes reloads deterministic). Only regular files are returned.
 */
export function globFiles(pattern: string): string[] {
  const abs = resolve(pattern);
  const parts = abs.split(sep);
  let dirs = [parts[0] === '' ? sep : (parts[0] ?? sep)];
  for (let i = 1; i < parts.length; i++) {
    const seg = parts[i] ?? '';
    if (seg === '') continue;
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const d of dirs) {
      if (!hasGlob(seg)) {
        next.push(join(d, seg));
        continue;
      }
      const isMatch = picomatch(seg, { dot: false });
      let names: string[];
      try {
        names = readdirSync(d);
      } catch {
        continue;
      }
      for (const name of names.sort()) if (isMatch(name)) next.push(join(d, name));
    }
    dirs = last ? next : next.filter(isDirectory);
  }
  return dirs.filter(isFile);
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Where an included path is looked for. Fluent Bit tries the path as given (relative to its
 * working directory), then relative to the main config's directory. We resolve relative to
 * the including file's directory first (what people expect with nested includes), then the
 * main config's directory (so configs written for Fluent Bit keep working), and never the
 * process's working directory, which would make a config mean different things per launch.
 */
export function includeCandidates(path: string, includingFile: string, mainFile: string): string[] {
  if (isAbsolute(path)) return [path];
  const a = resolve(dirname(includingFile), path);
  const b = resolve(dirname(mainFile), path);
  return a === b ? [a] : [a, b];
}
