import { realpathSync } from 'node:fs';
import type { Issues } from './errors.ts';
import type { RawConfig } from './raw.ts';
import { MAX_CONFIG_FILES, globFiles, hasGlob, includeCandidates, isFile, readConfigText } from './read.ts';

/** State shared by the readers of one config: the result, the problems, the include chain. */
export interface ReadContext {
  readonly mainFile: string;
  readonly issues: Issues;
  readonly raw: RawConfig;
  /** Real paths of the files being read, outermost first: a repeat is an include cycle. */
  readonly stack: string[];
  /** Real path → the path as first read, for "already included" messages. */
  readonly seen: Map<string, string>;
}

export interface From {
  readonly file: string;
  readonly line: number;
}

export function newContext(mainFile: string, issues: Issues, raw: RawConfig): ReadContext {
  return { mainFile, issues, raw, stack: [], seen: new Map() };
}

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/**
 * Reads one file and hands its text to `parse`, keeping the include chain and the file
 * list. A file that cannot be read is reported at the line that included it.
 */
export function withFile(
  path: string,
  ctx: ReadContext,
  from: From | undefined,
  parse: (text: string, file: string) => void,
): void {
  if (ctx.raw.files.length >= MAX_CONFIG_FILES) {
    ctx.issues.add(from?.file ?? path, from?.line, `too many config files: the limit is ${MAX_CONFIG_FILES}`);
    return;
  }
  const r = readConfigText(path);
  if (!r.ok) {
    if (from) ctx.issues.add(from.file, from.line, `cannot read \`${path}\`: ${r.message}`);
    else ctx.issues.add(path, undefined, r.message);
    return;
  }
  const real = safeRealpath(path);
  ctx.seen.set(real, path);
  ctx.stack.push(real);
  ctx.raw.files.push(path);
  try {
    parse(r.text, path);
  } finally {
    ctx.stack.pop();
  }
}

/**
 * The files an include names, after Fluent Bit's rules: globs allowed (no match is an
 * error, as in Fluent Bit), each file at most once (Fluent Bit refuses to read a file
 * twice), and a cycle reported as such with its chain.
 */
export function resolveInclude(path: string, from: From, ctx: ReadContext, label: string): string[] {
  const candidates = includeCandidates(path, from.file, ctx.mainFile);
  let targets: string[] = [];
  if (hasGlob(path)) {
    for (const c of candidates) {
      targets = globFiles(c);
      if (targets.length > 0) break;
    }
    if (targets.length === 0) {
      ctx.issues.add(from.file, from.line, `${label} ${path}: no file matches`);
      return [];
    }
  } else {
    const found = candidates.find(isFile);
    if (found === undefined) {
      ctx.issues.add(
        from.file,
        from.line,
        `${label} ${path}: no such file (looked for ${candidates.join(', ')})`,
      );
      return [];
    }
    targets = [found];
  }
  const out: string[] = [];
  for (const t of targets) {
    const real = safeRealpath(t);
    const at = ctx.stack.indexOf(real);
    if (at !== -1) {
      const chain = [...ctx.stack.slice(at), real].map((p) => ctx.seen.get(p) ?? p);
      ctx.issues.add(from.file, from.line, `include cycle: ${chain.join(' -> ')}`);
      continue;
    }
    const before = ctx.seen.get(real);
    if (before !== undefined) {
      ctx.issues.add(
        from.file,
        from.line,
        `${label} ${path}: ${before} is already included; a file may be included once`,
      );
      continue;
    }
    out.push(t);
  }
  return out;
}
