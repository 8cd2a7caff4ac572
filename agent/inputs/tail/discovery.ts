// File discovery for `Path` and `Exclude_Path`.
//
// `Path` is a comma-separated list of glob patterns, expanded like glob(3) (what Fluent Bit uses):
// `*`, `?`, `[...]` match within one path component and not a leading dot; `~/` is the home
// directory (GLOB_TILDE). One extension: a `**` component matches any number of directories
// (glob(3) reads `**` as `*`, one level); documented in the README.
//
// `Exclude_Path` is a comma-separated list of shell patterns matched against the whole path as
// Fluent Bit does with fnmatch(3) without FNM_PATHNAME: `*` also matches `/`, so `*.gz` excludes
// every .gz file at any depth.
//
// The walk only reads the directories a pattern can reach (a literal component is joined, not
// listed), so `/var/log/containers/*.log` costs one readdir.
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import picomatch from 'picomatch';

const MAGIC = /[*?[{]/;

export function splitList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const items = typeof value === 'string' ? value.split(',') : value.flatMap((v) => v.split(','));
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

function expandTilde(pattern: string): string {
  if (pattern === '~') return homedir();
  if (pattern.startsWith('~/')) return join(homedir(), pattern.slice(2));
  return pattern;
}

interface CompiledPattern {
  readonly source: string;
  /** Absolute directory the walk starts from (the pattern's literal prefix). */
  readonly base: string;
  readonly segments: readonly string[];
  readonly matchers: readonly (((name: string) => boolean) | undefined)[];
  /** Whole-path matcher, for fs.watch hints. */
  readonly whole: (path: string) => boolean;
}

export class PathMatcher {
  readonly patterns: readonly string[];
  readonly excludes: readonly string[];
  private readonly compiled: readonly CompiledPattern[];
  private readonly excluded: readonly ((path: string) => boolean)[];

  constructor(paths: readonly string[], excludes: readonly string[] = []) {
    this.patterns = paths.map(expandTilde);
    this.excludes = excludes;
    this.compiled = this.patterns.map(compile);
    this.excluded = excludes.map((p) => picomatch(p, { bash: true, dot: true }));
  }

  isExcluded(path: string): boolean {
    return this.excluded.some((m) => m(path));
  }

  /** Would `path` be found by a scan (pattern match, not excluded)? For fs.watch hints. */
  matches(path: string): boolean {
    return this.compiled.some((c) => c.whole(path)) && !this.isExcluded(path);
  }

  /** Directories worth an fs.watch: each pattern's literal base. */
  baseDirs(): string[] {
    return [...new Set(this.compiled.map((c) => c.base))];
  }

  /** All paths that match now, sorted, without duplicates and without excluded ones. */
  async scan(): Promise<string[]> {
    const out = new Set<string>();
    await Promise.all(this.compiled.map((c) => walk(c, c.base, 0, out)));
    return [...out].filter((p) => !this.isExcluded(p)).sort();
  }
}

function compile(pattern: string): CompiledPattern {
  const abs = pattern.startsWith('/') ? pattern : join(process.cwd(), pattern);
  const parts = abs.split('/').filter((s) => s !== '');
  let i = 0;
  while (i < parts.length && !MAGIC.test(parts[i] ?? '')) i++;
  // A fully literal pattern: its base is the parent directory and the last part is matched literally.
  if (i === parts.length) i = Math.max(0, parts.length - 1);
  const base = '/' + parts.slice(0, i).join('/');
  const segments = parts.slice(i);
  const matchers = segments.map((s) => (s === '**' || !MAGIC.test(s) ? undefined : picomatch(s)));
  return { source: pattern, base, segments, matchers, whole: picomatch(abs) };
}

async function walk(c: CompiledPattern, dir: string, i: number, out: Set<string>): Promise<void> {
  const seg = c.segments[i];
  if (seg === undefined) {
    out.add(dir);
    return;
  }
  const last = i === c.segments.length - 1;
  if (seg === '**') {
    // Zero directories, then each subdirectory (dot directories excluded, as for `*`).
    await walk(c, dir, i + 1, out);
    for (const e of await list(dir)) {
      if (!e.name.startsWith('.') && (e.isDirectory() || e.isSymbolicLink())) {
        await walk(c, join(dir, e.name), i, out);
      }
    }
    return;
  }
  const m = c.matchers[i];
  if (m === undefined) {
    // Literal component: no readdir; existence is checked when the file is opened.
    if (last) out.add(join(dir, seg));
    else await walk(c, join(dir, seg), i + 1, out);
    return;
  }
  for (const e of await list(dir)) {
    if (!m(e.name)) continue;
    // Symlinks are followed (kubelet's /var/log/containers entries are symlinks); what they point
    // to is checked when opened.
    if (last) {
      if (!e.isDirectory()) out.add(join(dir, e.name));
    } else if (e.isDirectory() || e.isSymbolicLink()) {
      await walk(c, join(dir, e.name), i + 1, out);
    }
  }
}

async function list(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    // A missing or unreadable directory matches nothing for now (Fluent Bit logs the glob error and
    // carries on); a later scan finds it once it exists.
    return [];
  }
}
