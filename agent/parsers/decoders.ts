// Decode_Field / Decode_Field_As, following flb_parser_decoder.c:
// - rules for one field run in config order, on the value as decoded so far;
// - Decode_Field_As replaces the value (string or structure);
// - Decode_Field adds the keys of a decoded JSON map to the record;
// - a failing rule stops the chain unless it says try_next or do_next;
//   a succeeding rule stops it unless it says do_next.
//
// Our JSON parser hands over already-unescaped strings (JSON.parse), so the
// `json` decoder first tries the value as it is and only unescapes it if that
// fails (a regex capture of escaped JSON such as {\"a\":1}).

import type { DecoderAction, DecoderBackend, DecoderRule } from './types.ts';

const DECODERS: readonly DecoderBackend[] = ['json', 'escaped', 'escaped_utf8'];

/**
 * Unescapes backslash sequences: \" \\ \/ \b \f \n \r \t \a \v, and with
 * `utf8` also \uXXXX (surrogate pairs joined). Unknown escapes are kept as is.
 */
export function unescapeString(value: string, utf8: boolean): string {
  let i = value.indexOf('\\');
  if (i < 0) return value;
  let out = value.slice(0, i);
  const len = value.length;
  while (i < len) {
    const c = value.charCodeAt(i);
    if (c !== 92 || i + 1 >= len) {
      out += value[i];
      i++;
      continue;
    }
    const n = value[i + 1];
    switch (n) {
      case '"':
      case '\\':
      case '/':
        out += n;
        i += 2;
        break;
      case 'b':
        out += '\b';
        i += 2;
        break;
      case 'f':
        out += '\f';
        i += 2;
        break;
      case 'n':
        out += '\n';
        i += 2;
        break;
      case 'r':
        out += '\r';
        i += 2;
        break;
      case 't':
        out += '\t';
        i += 2;
        break;
      case 'a':
        out += '\x07';
        i += 2;
        break;
      case 'v':
        out += '\v';
        i += 2;
        break;
      case 'u': {
        const hex = value.slice(i + 2, i + 6);
        if (utf8 && /^[0-9a-fA-F]{4}$/.test(hex)) {
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else {
          out += '\\u';
          i += 2;
        }
        break;
      }
      default:
        out += '\\' + (n as string);
        i += 2;
    }
  }
  // Lone surrogates from \uD800 without a pair stay as they are; JSON and msgpack encoders cope.
  return out;
}

type DecodeOutcome = { ok: false } | { ok: true; value: unknown; structured: boolean };
const FAIL: DecodeOutcome = { ok: false };

function decodeJson(value: string): DecodeOutcome {
  const tryParse = (text: string): DecodeOutcome => {
    let start = 0;
    while (start < text.length && /\s/.test(text[start] as string)) start++;
    const c = text[start];
    if (c !== '{' && c !== '[') return FAIL;
    try {
      return { ok: true, value: JSON.parse(text) as unknown, structured: true };
    } catch {
      return FAIL;
    }
  };
  const direct = tryParse(value);
  if (direct.ok || !value.includes('\\')) return direct;
  return tryParse(unescapeString(value, true));
}

function runBackend(backend: DecoderBackend, value: string): DecodeOutcome {
  switch (backend) {
    case 'json':
      return decodeJson(value);
    case 'escaped':
      return { ok: true, value: unescapeString(value, false), structured: false };
    case 'escaped_utf8':
      return { ok: true, value: unescapeString(value, true), structured: false };
  }
}

/** Parses one `Decode_Field[_As]` value: "<decoder> <field> [try_next|do_next]". */
export function parseDecoderLine(type: 'field' | 'field_as', line: string): DecoderRule {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2 || parts.length > 3) {
    throw new Error(`'${line}' is not '<decoder> <field> [try_next|do_next]'`);
  }
  const [decoder, field, action] = parts as [string, string, string | undefined];
  const d = decoder.toLowerCase();
  if (d === 'mysql_quoted') throw new Error(`decoder 'mysql_quoted' is not supported`);
  if (!(DECODERS as readonly string[]).includes(d)) {
    throw new Error(`unknown decoder '${decoder}' (expected one of ${DECODERS.join(', ')})`);
  }
  let act: DecoderAction | undefined;
  if (action !== undefined) {
    const a = action.toLowerCase();
    if (a !== 'try_next' && a !== 'do_next')
      throw new Error(`unknown action '${action}' (expected try_next or do_next)`);
    act = a;
  }
  return { type, decoder: d as DecoderBackend, field, action: act };
}

export type RecordDecoder = (record: Record<string, unknown>) => void;

/** Compiles rules into a function that decodes a record in place; undefined when there are none. */
export function compileDecoders(rules: readonly DecoderRule[]): RecordDecoder | undefined {
  if (rules.length === 0) return undefined;
  const byField = new Map<string, DecoderRule[]>();
  for (const r of rules) {
    const list = byField.get(r.field);
    if (list) list.push(r);
    else byField.set(r.field, [r]);
  }
  const fields = [...byField.entries()];

  return (record) => {
    let extra: Record<string, unknown> | undefined;
    for (const [field, fieldRules] of fields) {
      const original = record[field];
      if (typeof original !== 'string') continue;
      let data = original;
      let decodedAs = false;
      let asValue: unknown;
      let asStructured = false;
      let decoded = false;
      let outValue: unknown;
      for (const rule of fieldRules) {
        if (rule.type === 'field' && rule.action === 'do_next' && decoded) continue;
        if (decodedAs && asStructured) continue;
        const r = runBackend(rule.decoder, data);
        if (!r.ok) {
          if (rule.action !== undefined) continue;
          break;
        }
        if (rule.type === 'field_as') {
          asValue = r.value;
          asStructured = r.structured;
          decodedAs = true;
          if (typeof r.value === 'string') data = r.value;
        } else {
          outValue = r.value;
          decoded = r.structured;
        }
        if (rule.action === 'do_next') continue;
        break;
      }
      if (decodedAs) record[field] = asValue;
      // Decode_Field only ever adds keys from a structured (map) result.
      if (decoded && outValue !== null && typeof outValue === 'object' && !Array.isArray(outValue)) {
        extra ??= {};
        Object.assign(extra, outValue);
      }
    }
    if (extra) Object.assign(record, extra);
  };
}
