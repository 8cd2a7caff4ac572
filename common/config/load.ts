import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, visit } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { expandEnv, resolvePlainScalar } from './env.ts';
import type { Env } from './env.ts';
import { ConfigError } from './errors.ts';
import type { ConfigIssue } from './errors.ts';
import { objectShape, schemaAt } from './schema-doc.ts';
import { closestMatch } from './suggest.ts';

/** Default limit on a config file: far above any real config, far below what hurts. */
export const DEFAULT_MAX_CONFIG_BYTES = 1024 * 1024;

/** A file path, or text already in hand with the name to use in messages. */
export type ConfigInput = string | { readonly text: string | Uint8Array; readonly source: string };

export interface LoadOptions {
  /** Variables for `${VAR}` substitution; `process.env` when absent. */
  readonly env?: Env;
  /** Largest accepted file, in bytes. */
  readonly maxBytes?: number;
}

/**
 * Reads, substitutes and validates a YAML config; returns the schema's output type.
 * Throws `ConfigError` listing every problem as `file:line:col: path: why`.
 * The schema should use `z.strictObject` so that unknown keys are reported.
 */
export function loadYamlConfig<S extends z.ZodType>(
  input: ConfigInput,
  schema: S,
  options: LoadOptions = {},
): z.output<S> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_CONFIG_BYTES;
  const { text, file } =
    typeof input === 'string' ? readConfigFile(input, maxBytes) : fromText(input, maxBytes);
  const lc = new LineCounter();
  const doc = parseYaml(text, file, lc);
  substituteEnv(doc, options.env ?? process.env, file, lc);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError([{ file, message: `cannot expand YAML aliases: ${(err as Error).message}` }]);
  }
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new ConfigError(zodIssues(result.error.issues, schema, doc, file, lc));
}

function fail(file: string, message: string, line?: number, col?: number): never {
  throw new ConfigError([
    { file, message, ...(line === undefined ? {} : { line }), ...(col === undefined ? {} : { col }) },
  ]);
}

function readConfigFile(path: string, maxBytes: number): { text: string; file: string } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    fail(path, e.code === 'ENOENT' ? 'cannot read config: no such file' : `cannot read config: ${e.message}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) fail(path, 'cannot read config: is a directory');
    if (st.isFile() && st.size > maxBytes) fail(path, tooBig(st.size, maxBytes));
    // Read at most maxBytes+1 whatever stat said: /dev/zero or a FIFO reports size 0.
    const buf = Buffer.allocUnsafe(maxBytes + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n > maxBytes) fail(path, tooBig(undefined, maxBytes));
    }
    return { text: decode(buf.subarray(0, n), path), file: path };
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    return fail(path, `cannot read config: ${(err as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

function fromText(input: { readonly text: string | Uint8Array; readonly source: string }, maxBytes: number) {
  const file = input.source;
  const bytes = typeof input.text === 'string' ? Buffer.byteLength(input.text) : input.text.byteLength;
  if (bytes > maxBytes) fail(file, tooBig(bytes, maxBytes));
  const text = typeof input.text === 'string' ? input.text : decode(input.text, file);
  const nul = text.indexOf('\0');
  if (nul !== -1) fail(file, `not a text file: NUL character at offset ${nul}`);
  return { text, file };
}

function tooBig(size: number | undefined, max: number): string {
  const got = size === undefined ? 'more than that' : `${size} bytes`;
  return `config file too large: limit is ${max} bytes, file has ${got}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Uint8Array, file: string): string {
  const nul = bytes.indexOf(0);
  if (nul !== -1) fail(file, `not a text file: NUL byte at offset ${nul}`);
  try {
    return utf8.decode(bytes);
  } catch {
    return fail(file, 'not a text file: invalid UTF-8');
  }
}

function parseYaml(text: string, file: string, lc: LineCounter): Document.Parsed {
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, strict: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e): ConfigIssue => {
        const { line, col } = lc.linePos(e.pos[0]);
        const message =
          e.code === 'DUPLICATE_KEY'
            ? `duplicate key \`${duplicateKeyText(text, e.pos)}\`: each key may appear once in a map`
            : `YAML syntax error: ${e.message.split('\n')[0] ?? e.code}`;
        return { file, line, col, message };
      }),
    );
  }
  const top = doc.contents;
  if (top === null || (isScalar(top) && top.value === null)) {
    fail(file, 'config is empty: expected a map of settings at the top level', 1, 1);
  }
  if (!isMap(top)) {
    const { line, col } = lc.linePos(top.range?.[0] ?? 0);
    fail(
      file,
      `the top level must be a map of settings, found ${isSeq(top) ? 'a list' : 'a single value'}`,
      line,
      col,
    );
  }
  return doc;
}

function duplicateKeyText(text: string, pos: readonly [number, number]): string {
  const raw = text.slice(pos[0], Math.max(pos[1], pos[0] + 200)).split(/:(?:\s|$)|\n/)[0] ?? '';
  return raw.trim();
}

function substituteEnv(doc: Document.Parsed, env: Env, file: string, lc: LineCounter): void {
  const issues: ConfigIssue[] = [];
  visit(doc, {
    Scalar(key, node) {
      // Keys are names from the schema, not data: substituting them would only help typos hide.
      if (key === 'key' || typeof node.value !== 'string') return;
      const r = expandEnv(node.value, env);
      if (r.ok) {
        if (!r.changed) return;
        node.value = node.type === Scalar.PLAIN ? resolvePlainScalar(r.value) : r.value;
        return;
      }
      const { line, col } = lc.linePos(node.range?.[0] ?? 0);
      for (const p of r.problems) issues.push({ file, line, col, message: p.message });
    },
  });
  if (issues.length > 0) throw new ConfigError(issues);
}

interface Located {
  /** The node the path ends at, or the deepest ancestor that exists. */
  readonly node: YamlNode | null;
  /** The key node of the last map entry reached. */
  readonly keyNode: YamlNode | null;
  readonly exact: boolean;
}

function locate(doc: Document.Parsed, path: readonly PropertyKey[]): Located {
  let cur: unknown = doc.contents;
  let keyNode: YamlNode | null = null;
  for (const seg of path) {
    if (isAlias(cur)) cur = cur.resolve(doc);
    if (isMap(cur)) {
      const pair = cur.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) return { node: cur, keyNode, exact: false };
      keyNode = pair.key as YamlNode;
      cur = pair.value;
    } else if (isSeq(cur) && typeof seg === 'number' && seg < cur.items.length) {
      keyNode = null;
      cur = cur.items[seg];
    } else {
      return { node: (cur as YamlNode | null) ?? keyNode, keyNode, exact: false };
    }
  }
  return { node: (cur as YamlNode | null) ?? null, keyNode, exact: true };
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      out += /^[A-Za-z0-9_@-]+$/.test(s) ? (out === '' ? s : `.${s}`) : `[${JSON.stringify(s)}]`;
    }
  }
  return out === '' ? '(top level)' : out;
}

function zodIssues(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  doc: Document.Parsed,
  file: string,
  lc: LineCounter,
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const at = (node: YamlNode | null): { line: number; col: number } =>
    lc.linePos(node?.range?.[0] ?? doc.contents?.range?.[0] ?? 0);
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const shape = objectShape(schemaAt(schema, issue.path) ?? schema);
      const known = shape === undefined ? [] : Object.keys(shape);
      for (const key of issue.keys) {
        const loc = locate(doc, [...issue.path, key]);
        const hint = closestMatch(key, known);
        const knownList = known.length > 0 && known.length <= 12 ? ` (known keys: ${known.join(', ')})` : '';
        out.push({
          file,
          ...at(loc.keyNode ?? loc.node),
          path: formatPath([...issue.path, key]),
          message:
            hint === undefined
              ? `unknown key \`${key}\`${knownList}`
              : `unknown key \`${key}\`, did you mean \`${hint}\`?`,
        });
      }
      continue;
    }
    const loc = locate(doc, issue.path);
    let message = issue.message.replace(/^Invalid input: /, '');
    if (!loc.exact && issue.code === 'invalid_type') {
      message = `missing required key (${message.replace(/, received undefined$/, '')})`;
    }
    out.push({
      file,
      ...at(loc.exact ? (loc.node ?? loc.keyNode) : loc.node),
      path: formatPath(issue.path),
      message,
    });
  }
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}
