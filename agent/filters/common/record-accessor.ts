// Fluent Bit's record accessor, the subset the filters use:
//
// - a key: `$log`, `$kubernetes['labels']['app']`, `$items[0]['name']` (grep and rewrite_tag keys,
//   modify conditions); the `$` is optional where Fluent Bit makes it so;
// - a template (rewrite_tag's NEW_TAG): text with `$KEY...`, `$0`..`$9` (regex captures), `$TAG`
//   and `$TAG[n]` (the n-th dot-separated part of the tag) spliced in.
//
// Everything is parsed once at set-up; per record there is one walk down the path, no allocation.

/** One step below the top-level key: a map key or an array index. */
export type PathStep = string | number;

export interface KeyAccessor {
  /** As written, for messages. */
  readonly text: string;
  readonly key: string;
  readonly path: readonly PathStep[];
}

/** What `lookup` returns for a key that is not there (a `null` value is there). */
export const MISSING: unique symbol = Symbol('missing');

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Parses `$key['sub'][0]`. The key name is everything up to the first `[`, dots included:
 * `$Mem.used` is the key `Mem.used` (Fluent Bit would read the key `Mem` and drop `.used`).
 */
export function parseKeyAccessor(text: string): Parsed<KeyAccessor> {
  const src = text.startsWith('$') ? text.slice(1) : text;
  const open = src.indexOf('[');
  const key = open === -1 ? src : src.slice(0, open);
  if (key === '') return { ok: false, message: `record accessor \`${text}\` names no key` };
  const path: PathStep[] = [];
  let i = open === -1 ? src.length : open;
  while (i < src.length) {
    if (src[i] !== '[') {
      return { ok: false, message: `record accessor \`${text}\`: expected \`[\` at \`${src.slice(i)}\`` };
    }
    const q = src[i + 1];
    if (q === "'" || q === '"') {
      const end = src.indexOf(q, i + 2);
      if (end === -1 || src[end + 1] !== ']') {
        return { ok: false, message: `record accessor \`${text}\`: unterminated \`[${q}...${q}]\`` };
      }
      path.push(src.slice(i + 2, end));
      i = end + 2;
      continue;
    }
    const end = src.indexOf(']', i + 1);
    const digits = end === -1 ? '' : src.slice(i + 1, end);
    if (!/^[0-9]+$/.test(digits)) {
      return {
        ok: false,
        message: `record accessor \`${text}\`: a subkey is \`['name']\` or an array index \`[0]\``,
      };
    }
    path.push(Number(digits));
    i = end + 1;
  }
  return { ok: true, value: { text, key, path } };
}

/** The value the accessor points at, or `MISSING`. */
export function lookup(record: Record<string, unknown>, acc: KeyAccessor): unknown {
  if (!Object.hasOwn(record, acc.key)) return MISSING;
  let cur: unknown = record[acc.key];
  const path = acc.path;
  for (let i = 0; i < path.length; i++) {
    const step = path[i] as PathStep;
    if (typeof step === 'number') {
      if (!Array.isArray(cur) || step >= cur.length) return MISSING;
      cur = cur[step] as unknown;
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, step)) {
        return MISSING;
      }
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return cur;
}

/** The string the accessor points at; anything else (numbers, maps, missing) is `undefined`. */
export function lookupString(record: Record<string, unknown>, acc: KeyAccessor): string | undefined {
  const v = lookup(record, acc);
  return typeof v === 'string' ? v : undefined;
}

// Template parts, as small tagged objects so rendering is one switch per part.
const TEXT = 0;
const GROUP = 1;
const TAG = 2;
const TAG_PART = 3;
const KEY = 4;

type Part =
  | { readonly kind: typeof TEXT; readonly text: string }
  | { readonly kind: typeof GROUP; readonly index: number }
  | { readonly kind: typeof TAG }
  | { readonly kind: typeof TAG_PART; readonly index: number }
  | { readonly kind: typeof KEY; readonly accessor: KeyAccessor };

export interface Template {
  readonly text: string;
  readonly parts: readonly Part[];
  /** Whether rendering needs the tag split on dots (`$TAG[n]`). */
  readonly usesTagParts: boolean;
}

/**
 * Compiles a template as Fluent Bit's flb_ra_create reads it: after `$`, a digit is a capture,
 * `TAG` the tag (`TAG[n]` a part of it), anything else a key accessor running up to the next
 * `.`, space, `,` or `"` outside single quotes.
 */
export function compileTemplate(text: string): Parsed<Template> {
  const parts: Part[] = [];
  let literal = '';
  let usesTagParts = false;
  const flush = (): void => {
    if (literal !== '') parts.push({ kind: TEXT, text: literal });
    literal = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c !== '$' || next === undefined) {
      literal += c;
      i++;
      continue;
    }
    if (next === '{') {
      return {
        ok: false,
        message: `\`${text}\`: \`\${...}\` is an environment variable, substituted when the config is read; this one was not`,
      };
    }
    flush();
    if (next >= '0' && next <= '9') {
      parts.push({ kind: GROUP, index: next.charCodeAt(0) - 48 });
      i += 2;
      continue;
    }
    if (text.startsWith('TAG', i + 1)) {
      if (text[i + 4] === '[') {
        const end = text.indexOf(']', i + 5);
        const digits = end === -1 ? '' : text.slice(i + 5, end);
        if (!/^[0-9]+$/.test(digits)) {
          return { ok: false, message: `\`${text}\`: \`$TAG[n]\` needs a part number, as in \`$TAG[1]\`` };
        }
        parts.push({ kind: TAG_PART, index: Number(digits) });
        usesTagParts = true;
        i = end + 1;
      } else {
        parts.push({ kind: TAG });
        i += 4;
      }
      continue;
    }
    let end = i + 1;
    let quotes = 0;
    for (; end < text.length; end++) {
      const e = text[end];
      if (e === "'") quotes++;
      else if ((quotes & 1) === 0 && (e === '.' || e === ' ' || e === ',' || e === '"')) break;
    }
    const acc = parseKeyAccessor(text.slice(i, end));
    if (!acc.ok) return acc;
    parts.push({ kind: KEY, accessor: acc.value });
    i = end;
  }
  flush();
  return { ok: true, value: { text, parts, usesTagParts } };
}

/**
 * Renders a template. `tagParts` is the tag split on dots (computed once per chunk, only when the
 * template uses `$TAG[n]`); `match` the capture of the rule's regex. Absent values render as
 * nothing, as in Fluent Bit.
 */
export function renderTemplate(
  t: Template,
  tag: string,
  tagParts: readonly string[] | undefined,
  record: Record<string, unknown>,
  match: RegExpExecArray | null,
): string {
  let out = '';
  const parts = t.parts;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as Part;
    switch (p.kind) {
      case TEXT:
        out += p.text;
        break;
      case GROUP:
        out += match?.[p.index] ?? '';
        break;
      case TAG:
        out += tag;
        break;
      case TAG_PART:
        out += tagParts?.[p.index] ?? '';
        break;
      case KEY:
        out += valueText(lookup(record, p.accessor));
        break;
    }
  }
  return out;
}

/** A value as Fluent Bit's record accessor prints it into a string. */
export function valueText(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      // Fluent Bit prints integers as integers and floats with printf's `%f`.
      return Number.isInteger(v) ? String(v) : v.toFixed(6);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'object':
      if (v === null) return 'null';
      // Maps print as JSON; arrays are not a value the accessor can print.
      return Array.isArray(v) ? '' : JSON.stringify(v);
    default:
      return '';
  }
}
