// logfmt as Fluent Bit reads it (flb_parser_logfmt.c, after brandur.org/logfmt):
//
//   ident_byte = any byte > ' ' except '=' and '"'
//   key        = ident
//   value      = ident | '"' { string_byte | '\' any } '"'
//   pair       = key '=' value | key '=' | key
//   message    = { garbage, pair }, garbage
//
// - `key` alone (a bare key) and `key=` give true; `key=""` gives "".
// - Quoted values are unescaped (\" \\ \n \t \uXXXX ...).
// - Scanning stops at the first newline after a pair.
// - Logfmt_No_Bare_Keys On rejects a line that has a bare key.
// - Later duplicates of a key overwrite earlier ones (Fluent Bit writes both
//   into the msgpack map; every consumer then keeps the last).

import { unescapeString } from './decoders.ts';

function isIdent(c: number): boolean {
  // Non-ASCII characters are bytes >= 0x80 in UTF-8: identifier bytes too.
  return c > 32 && c !== 61 /* = */ && c !== 34; /* " */
}

/**
 * Scans a logfmt line into `out`. Returns the number of pairs, 0 when there
 * are none, or -1 when noBareKeys is set and a bare key was seen.
 * When `timeKey` is given, its (non-empty string) value goes to `onTime`
 * first; onTime returning true leaves the key out of `out` (Time_Keep Off),
 * which avoids deleting it afterwards.
 */
export function scanLogfmt(
  s: string,
  noBareKeys: boolean,
  out: Record<string, unknown>,
  timeKey?: string,
  onTime?: (value: string) => boolean,
): number {
  const end = s.length;
  let c = 0;
  let pairs = 0;
  while (c < end) {
    // garbage
    while (c < end && !isIdent(s.charCodeAt(c))) c++;
    if (c === end) break;
    const keyStart = c;
    while (c < end && isIdent(s.charCodeAt(c))) c++;
    const key = s.slice(keyStart, c);
    let value: string | true = true;
    let valueSet = false;
    if (c < end && s.charCodeAt(c) === 61 /* = */) {
      valueSet = true;
      c++;
      if (c < end) {
        if (s.charCodeAt(c) === 34 /* " */) {
          c++;
          const vStart = c;
          let escaped = false;
          while (c < end) {
            const ch = s.charCodeAt(c);
            if (ch === 92 /* \ */) {
              escaped = true;
              c += 2;
            } else if (ch === 34) break;
            else c++;
          }
          if (c > end) c = end;
          const raw = s.slice(vStart, c);
          value = escaped ? unescapeString(raw, true) : raw;
          if (c < end) c++; // closing quote
        } else {
          const vStart = c;
          while (c < end && isIdent(s.charCodeAt(c))) c++;
          // `key=` with nothing after it is true, like a bare key.
          if (c > vStart) value = s.slice(vStart, c);
        }
      }
    }
    if (!valueSet && noBareKeys) return -1;
    pairs++;
    if (
      key === timeKey &&
      typeof value === 'string' &&
      value !== '' &&
      onTime !== undefined &&
      onTime(value)
    ) {
      // counted as a pair, as Fluent Bit does, but not stored
    } else if (key === '__proto__') {
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    } else {
      out[key] = value;
    }
    if (c === end) break;
    const ch = s.charCodeAt(c);
    if (ch === 13 /* \r */ || ch === 10 /* \n */) break;
  }
  return pairs;
}
