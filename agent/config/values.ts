import { parseDurationResult, parseSizeResult } from '../../common/config/index.ts';
import type { KeyDef, KeyParse } from './registry.ts';
import { compileRubyRegex } from '../parsers/oniguruma.ts';

const TRUE = new Set(['on', 'true', 'yes']);
const FALSE = new Set(['off', 'false', 'no']);

/** Fluent Bit's flb_utils_bool: on/true/yes and off/false/no, any case. */
export function parseBool(raw: string): boolean | undefined {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return undefined;
}

/** Comma-separated list, items trimmed, empty items dropped (Fluent Bit's CLIST). */
export function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Types one occurrence of a key. `multi` and `list` values are typed item by item by the
 * caller; here `raw` is always one written value.
 */
export function parseValue(def: KeyDef, raw: string): KeyParse {
  const custom = def.parse?.(raw);
  if (custom !== undefined) return custom;
  const v = raw.trim();
  switch (def.type) {
    case 'string':
    case 'multi':
      return checkValues(def, [v]) ?? { ok: true, value: v };
    case 'list': {
      const items = splitList(v);
      if (items.length === 0) return { ok: false, message: 'expected a comma-separated list, got nothing' };
      return checkValues(def, items) ?? { ok: true, value: items };
    }
    case 'bool': {
      const b = parseBool(v);
      if (b === undefined)
        return { ok: false, message: `expected on/off, true/false or yes/no, got \`${raw}\`` };
      if (def.values && !def.values.includes(v.toLowerCase())) {
        return {
          ok: false,
          message: `only ${def.values.map((x) => `\`${x}\``).join(', ')} is accepted, got \`${raw}\``,
        };
      }
      return { ok: true, value: b };
    }
    case 'int': {
      if (!/^[+-]?[0-9]+$/.test(v)) return { ok: false, message: `expected a whole number, got \`${raw}\`` };
      const n = Number(v);
      if (!Number.isSafeInteger(n)) return { ok: false, message: `number \`${raw}\` is too large` };
      if (def.min !== undefined && n < def.min)
        return { ok: false, message: `must be at least ${def.min}, got ${n}` };
      if (def.max !== undefined && n > def.max)
        return { ok: false, message: `must be at most ${def.max}, got ${n}` };
      return { ok: true, value: n };
    }
    case 'size': {
      const r = parseSizeResult(v);
      return r.ok ? { ok: true, value: r.value } : { ok: false, message: r.message };
    }
    case 'time': {
      // Fluent Bit's time keys are seconds, with optional s/m/h/d suffixes.
      const r = parseDurationResult(v);
      return r.ok
        ? { ok: true, value: r.value / 1000 }
        : { ok: false, message: `expected seconds such as 5, 30s, 1m, 2h or 1d, got \`${raw}\`` };
    }
  }
}

function checkValues(def: KeyDef, items: readonly string[]): KeyParse | undefined {
  if (!def.values) return undefined;
  for (const item of items) {
    if (!def.values.includes(item.toLowerCase())) {
      return {
        ok: false,
        message: `\`${item}\` is not one of ${def.values.map((x) => `\`${x}\``).join(', ')}`,
      };
    }
  }
  return undefined;
}

/**
 * Splits a rule into words: whitespace-separated, `"..."` or `'...'` quoting a word with
 * spaces, `\"` inside quotes for a quote (Fluent Bit's flb_utils_split_quoted).
 */
export function splitQuoted(s: string): { ok: true; words: string[] } | { ok: false; message: string } {
  const words: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i] ?? '')) i++;
    if (i >= s.length) break;
    const q = s[i];
    if (q === '"' || q === "'") {
      let w = '';
      i++;
      for (;;) {
        if (i >= s.length) return { ok: false, message: `unterminated ${q}quote${q}` };
        const c = s[i] ?? '';
        if (c === '\\' && s[i + 1] === q) {
          w += q;
          i += 2;
          continue;
        }
        if (c === q) {
          i++;
          break;
        }
        w += c;
        i++;
      }
      words.push(w);
    } else {
      let w = '';
      while (i < s.length && !/\s/.test(s[i] ?? '')) w += s[i++];
      words.push(w);
    }
  }
  return { ok: true, words };
}

/**
 * Regex source from Fluent Bit's notation: `/.../` delimiters optional, a trailing `i`
 * flag becomes an inline `(?i:...)` group (JavaScript supports modifiers since V8 12.5).
 */
export function regexSource(raw: string): string {
  const m = /^\/(.*)\/(i?)$/s.exec(raw.trim());
  if (!m) return raw.trim();
  return m[2] === 'i' ? `(?i:${m[1] ?? ''})` : (m[1] ?? '');
}

/** Compiles a regex as JavaScript would; the error message when it does not. */
/** Compiles a Fluent Bit (Onigmo) regex the way the plugins will, so the config check agrees with them. */
export function compileRegex(source: string): { ok: true; re: RegExp } | { ok: false; message: string } {
  try {
    // Fluent Bit's regexes are Onigmo (Ruby) syntax: `(?i)`, `\h`, `(?<name>...)` and friends.
    return { ok: true, re: compileRubyRegex(source) };
  } catch (err) {
    return {
      ok: false,
      message: `invalid regular expression \`${source}\`: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`,
    };
  }
}
