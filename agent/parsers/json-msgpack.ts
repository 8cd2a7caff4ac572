// JSON object text -> msgpack map, byte to byte, for the tail's hot path (Parser json into Forward
// entries). The usual way, JSON.parse then a msgpack encoder, builds every record as a JS object only
// to take it apart again, and each half costs more than a microsecond per 250-byte line; this reads
// the UTF-8 bytes once and copies strings without escapes as they are.
//
// It is a fast path, not a second JSON parser with its own opinions: anything it is not sure about
// (invalid JSON, invalid UTF-8, nesting deeper than 64, more than 65535 members) makes it give up
// with nothing written, and the caller takes the JSON.parse path, which decides what happens to the
// line. A test checks it against JSON.parse on generated and fuzzed input.

import { DEFAULT_MAX_DEPTH, MsgpackWriter } from '../../common/forward/index.ts';

/**
 * Forward receivers (common/forward) refuse msgpack nested deeper than DEFAULT_MAX_DEPTH, counted
 * from the entry `[time, record]`; a record may use what is left.
 */
export const MAX_DEPTH = DEFAULT_MAX_DEPTH - 2;
const MAX_MEMBERS = 0xffff;
const FAIL = -1;
// What follows a member or item: `,` and another one, or the container's closing bracket.
const MORE = 1;
const DONE = 0;

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Where the top-level map went. `found*` describe the member whose key is the one asked for (the
 * parser's Time_Key) when its value is a string: the caller may cut [foundStart, foundEnd) out
 * (Fluent Bit removes the time key once the time parsed, unless Time_Keep).
 */
export interface TranscodeResult {
  header: number;
  members: number;
  found: string | undefined;
  foundStart: number;
  foundEnd: number;
  /** The top-level map has a member keyed `alsoNoteKey` (the line's own event.id). */
  noted: boolean;
}

/** Removes the found member from `out`, moving what was written after it back. */
export function cutFound(out: MsgpackWriter, result: TranscodeResult): void {
  out.buf.copy(out.buf, result.foundStart, result.foundEnd, out.pos);
  out.pos -= result.foundEnd - result.foundStart;
  result.members--;
  result.found = undefined;
}

export class JsonToMsgpack {
  private src: Buffer = Buffer.alloc(0);
  private i = 0;
  private end = 0;
  private out: MsgpackWriter = new MsgpackWriter(16);
  private findBytes: Buffer | undefined;
  private noteBytes: Buffer | undefined;
  private readonly keyBytes = new Map<string, Buffer>();

  /** Returns false (out.pos unchanged) when the line must take the JSON.parse path. */
  object(
    src: Buffer,
    start: number,
    end: number,
    out: MsgpackWriter,
    findKey: string | undefined,
    result: TranscodeResult,
    noteKey?: string,
  ): boolean {
    this.src = src;
    this.i = start;
    this.end = end;
    this.out = out;
    const mark = out.pos;
    result.found = undefined;
    result.noted = false;
    this.findBytes = findKey === undefined ? undefined : this.bytesOf(findKey);
    this.noteBytes = noteKey === undefined ? undefined : this.bytesOf(noteKey);
    this.ws();
    if (this.src[this.i] !== 0x7b) return false;
    const ok = this.map(0, result) !== FAIL;
    if (ok) {
      this.ws();
      if (this.i === this.end) return true;
    }
    out.pos = mark;
    return false;
  }

  private bytesOf(key: string): Buffer {
    let b = this.keyBytes.get(key);
    if (b === undefined) {
      b = Buffer.from(key);
      this.keyBytes.set(key, b);
    }
    return b;
  }

  private ws(): void {
    const s = this.src;
    let i = this.i;
    while (i < this.end) {
      const c = s[i] as number;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    this.i = i;
  }

  /** At '{'. Writes a map; returns FAIL or 0. Top level fills `result`. */
  private map(depth: number, result: TranscodeResult | undefined): number {
    if (depth >= MAX_DEPTH) return FAIL;
    this.i++;
    const out = this.out;
    const header = out.openMap();
    let members = 0;
    this.ws();
    if (this.src[this.i] === 0x7d) {
      this.i++;
      out.closeMap(header, 0);
      if (result !== undefined) {
        result.header = header;
        result.members = 0;
      }
      return 0;
    }
    for (;;) {
      if (this.src[this.i] !== 0x22) return FAIL;
      const keyAt = out.pos;
      const keyStart = this.i + 1;
      if (this.string() === FAIL) return FAIL;
      const keyEnd = this.i - 1;
      this.ws();
      if (this.src[this.i] !== 0x3a) return FAIL;
      this.i++;
      this.ws();
      const valueAt = out.pos;
      if (this.value(depth + 1) === FAIL) return FAIL;
      if (
        result !== undefined &&
        this.findBytes !== undefined &&
        (this.src[this.i - 1] as number) === 0x22 &&
        sameBytes(this.src, keyStart, keyEnd, this.findBytes)
      ) {
        result.found = readStr(out.buf, valueAt);
        result.foundStart = keyAt;
        result.foundEnd = out.pos;
      }
      if (
        result !== undefined &&
        this.noteBytes !== undefined &&
        sameBytes(this.src, keyStart, keyEnd, this.noteBytes)
      )
        result.noted = true;
      if (++members > MAX_MEMBERS) return FAIL;
      const next = this.afterItem(0x7d);
      if (next !== MORE) {
        if (next === FAIL) return FAIL;
        break;
      }
    }
    out.closeMap(header, members);
    if (result !== undefined) {
      result.header = header;
      result.members = members;
    }
    return 0;
  }

  private array(depth: number): number {
    if (depth >= MAX_DEPTH) return FAIL;
    this.i++;
    const out = this.out;
    const header = out.openArray();
    let items = 0;
    this.ws();
    if (this.src[this.i] === 0x5d) {
      this.i++;
      out.closeArray(header, 0);
      return 0;
    }
    for (;;) {
      if (this.value(depth + 1) === FAIL) return FAIL;
      if (++items > MAX_MEMBERS) return FAIL;
      const next = this.afterItem(0x5d);
      if (next !== MORE) {
        if (next === FAIL) return FAIL;
        break;
      }
    }
    out.closeArray(header, items);
    return 0;
  }

  /** After a member or item: past a `,` (MORE) or past `close` (DONE); FAIL on anything else. */
  private afterItem(close: number): number {
    this.ws();
    const c = this.src[this.i];
    if (c === 0x2c) {
      this.i++;
      this.ws();
      return MORE;
    }
    if (c !== close) return FAIL;
    this.i++;
    return DONE;
  }

  private value(depth: number): number {
    const c = this.src[this.i];
    switch (c) {
      case 0x22:
        return this.string();
      case 0x7b:
        return this.map(depth, undefined);
      case 0x5b:
        return this.array(depth);
      case 0x74:
        return this.literal('true', 0xc3);
      case 0x66:
        return this.literal('false', 0xc2);
      case 0x6e:
        return this.literal('null', 0xc0);
      default:
        return this.numberValue();
    }
  }

  private literal(word: string, byte: number): number {
    if (this.i + word.length > this.end || this.src.toString('latin1', this.i, this.i + word.length) !== word)
      return FAIL;
    this.i += word.length;
    this.out.ensure(1);
    this.out.buf[this.out.pos++] = byte;
    return 0;
  }

  private numberValue(): number {
    const s = this.src;
    const start = this.i;
    let i = start;
    const negative = s[i] === 0x2d;
    if (negative) i++;
    // Plain integers of up to 15 digits (exact in a double) are read in the loop; anything else
    // (fraction, exponent, longer) goes through Number() on the text, as JSON.parse would read it.
    let value = 0;
    let digits = 0;
    if (s[i] === 0x30) {
      i++;
      digits = 1;
    } else if (isDigit(s[i])) {
      while (isDigit(s[i])) {
        value = value * 10 + ((s[i] as number) - 0x30);
        i++;
        digits++;
      }
    } else return FAIL;
    let simple = digits <= 15;
    if (s[i] === 0x2e) {
      simple = false;
      i++;
      if (!isDigit(s[i])) return FAIL;
      while (isDigit(s[i])) i++;
    }
    if (s[i] === 0x65 || s[i] === 0x45) {
      simple = false;
      i++;
      if (s[i] === 0x2b || s[i] === 0x2d) i++;
      if (!isDigit(s[i])) return FAIL;
      while (isDigit(s[i])) i++;
    }
    if (i > this.end) return FAIL;
    this.i = i;
    this.out.number(simple ? (negative ? -value : value) : Number(s.toString('latin1', start, i)));
    return 0;
  }

  /**
   * At '"'. Copies the bytes while scanning them, behind a str8 header (valid msgpack for any
   * length under 256, and it saves going over the string twice); longer strings get their header
   * widened afterwards. A string with escapes is decoded instead.
   */
  private string(): number {
    const s = this.src;
    const out = this.out;
    const start = this.i + 1;
    out.ensure(5 + this.end - start);
    const b = out.buf;
    const header = out.pos;
    let w = header + 2;
    let i = start;
    let ascii = true;
    for (;;) {
      if (i >= this.end) return FAIL;
      const c = s[i] as number;
      if (c === 0x22) break;
      if (c === 0x5c) return this.escapedString(start);
      if (c < 0x20) return FAIL;
      if (c >= 0x80) ascii = false;
      b[w++] = c;
      i++;
    }
    if (!ascii && !validUtf8(s, start, i)) return FAIL;
    this.i = i + 1;
    const length = i - start;
    if (length < 0x100) {
      b[header] = 0xd9;
      b[header + 1] = length;
      out.pos = w;
    } else if (length < 0x10000) {
      b.copyWithin(header + 3, header + 2, w);
      b[header] = 0xda;
      b.writeUInt16BE(length, header + 1);
      out.pos = w + 1;
    } else {
      b.copyWithin(header + 5, header + 2, w);
      b[header] = 0xdb;
      b.writeUInt32BE(length, header + 1);
      out.pos = w + 3;
    }
    return 0;
  }

  private escapedString(start: number): number {
    const s = this.src;
    let i = start;
    for (;;) {
      if (i >= this.end) return FAIL;
      const c = s[i] as number;
      if (c === 0x22) break;
      if (c === 0x5c) i++;
      else if (c < 0x20) return FAIL;
      i++;
    }
    if (i > this.end) return FAIL;
    this.i = i + 1;
    const text = this.unescape(start, i);
    if (text === undefined) return FAIL;
    this.out.string(text);
    return 0;
  }

  private unescape(start: number, end: number): string | undefined {
    const s = this.src;
    // Escapes are rare in log lines: decode the raw parts strictly and build the string.
    let text = '';
    let runStart = start;
    let i = start;
    while (i < end) {
      if (s[i] !== 0x5c) {
        i++;
        continue;
      }
      if (i > runStart) {
        const raw = decodeUtf8(s, runStart, i);
        if (raw === undefined) return undefined;
        text += raw;
      }
      const e = s[i + 1];
      i += 2;
      switch (e) {
        case 0x22:
          text += '"';
          break;
        case 0x5c:
          text += '\\';
          break;
        case 0x2f:
          text += '/';
          break;
        case 0x62:
          text += '\b';
          break;
        case 0x66:
          text += '\f';
          break;
        case 0x6e:
          text += '\n';
          break;
        case 0x72:
          text += '\r';
          break;
        case 0x74:
          text += '\t';
          break;
        case 0x75: {
          if (i + 4 > end) return undefined;
          const hex = s.toString('latin1', i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
          text += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          return undefined;
      }
      runStart = i;
    }
    if (runStart < end) {
      const raw = decodeUtf8(s, runStart, end);
      if (raw === undefined) return undefined;
      text += raw;
    }
    // Lone surrogates from \u escapes are kept as JSON.parse keeps them; Buffer.write turns them
    // into U+FFFD when encoding, as the JSON.parse path's msgpack encoder does.
    return text;
  }
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

function validUtf8(s: Buffer, start: number, end: number): boolean {
  return decodeUtf8(s, start, end) !== undefined;
}

function decodeUtf8(s: Buffer, start: number, end: number): string | undefined {
  try {
    return decoder.decode(s.subarray(start, end));
  } catch {
    return undefined;
  }
}

/** Reads back the msgpack str written at `at` (the Time_Key's value). */
function readStr(b: Buffer, at: number): string | undefined {
  const h = b[at] as number;
  if ((h & 0xe0) === 0xa0) return b.toString('utf8', at + 1, at + 1 + (h & 0x1f));
  if (h === 0xd9) return b.toString('utf8', at + 2, at + 2 + (b[at + 1] as number));
  if (h === 0xda) return b.toString('utf8', at + 3, at + 3 + b.readUInt16BE(at + 1));
  if (h === 0xdb) return b.toString('utf8', at + 5, at + 5 + b.readUInt32BE(at + 1));
  return undefined;
}

/**
 * True when the JSON text nests objects and arrays deeper than `limit`. Such a record would be
 * refused by every Forward receiver (common/forward limits depth to 64), so it must not be sent
 * as structured data.
 */
export function jsonDeeperThan(src: Uint8Array, start: number, end: number, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = start; i < end; i++) {
    const c = src[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

function sameBytes(src: Buffer, start: number, end: number, key: Buffer): boolean {
  if (end - start !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (src[start + i] !== key[i]) return false;
  return true;
}
