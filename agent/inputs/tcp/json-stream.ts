// Incremental splitter for a stream of concatenated JSON objects (`Format json`).
//
// The stream arrives in arbitrary chunks; each chunk is scanned exactly once. The scanner keeps
// its state (bracket depth, inside-a-string, after-a-backslash) across chunks, and only the text
// of the value in progress is carried over — so a 227-byte object split over two reads costs one
// extra concatenation, never a re-scan.
//
// Resync rules (why a bad value never takes the connection or the following records with it):
//  1. A value ends when its brackets balance (outside strings). If JSON.parse then rejects its
//     text, that text alone is skipped (`invalid`) and scanning goes on right after it.
//  2. A raw line feed inside a string is illegal JSON (control characters must be escaped), so it
//     proves the current value broken — typically an unterminated string. The value is skipped
//     (`invalid`) and scanning restarts at depth 0 just after that line feed. In newline-delimited
//     streams a broken line therefore costs that line only.
//  3. A top-level value that is not an object (array, string, number, literal) is scanned to its
//     end and skipped (`not_object`); a bare run of other bytes (e.g. a stray `}`) ends at the next
//     whitespace, `{`, `[` or `"` and is skipped (`invalid`).
//  4. A value longer than `maxSize` is not buffered: its text is dropped at once, the scanner keeps
//     tracking its structure until it ends, and it is skipped (`oversized`). Memory per connection
//     is bounded by `maxSize` plus one read.
//  5. At end of stream a value still open is skipped (`truncated`).
// A value whose closing bracket is simply missing cannot be detected before the next value starts
// (`{"a":1 {"b":2}` is one unbalanced value); it ends by rule 2, 4 or 5.
//
// Sizes are counted in UTF-16 code units of the decoded text, equal to bytes for ASCII payloads
// (multi-byte UTF-8 counts less than its byte length); it keeps the hot path free of byte math.

export type JsonErrorKind = 'invalid' | 'not_object' | 'oversized' | 'truncated';

/** Called once per skipped value; `sample` is at most the first 80 characters of its text. */
export type JsonErrorSink = (kind: JsonErrorKind, message: string, sample: string) => void;

const SAMPLE = 80;

const LF = 10;
const CR = 13;
const TAB = 9;
const SPACE = 32;
const QUOTE = 34;
const BACKSLASH = 92;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;

// Scanner modes. Plain numbers rather than an enum (erasable syntax only).
const IDLE = 0; // between values
const NESTED = 1; // inside an object or array
const TOP_STRING = 2; // inside a top-level string
const BARE = 3; // inside a bare top-level run (number, literal or garbage)

export class JsonObjectSplitter {
  readonly maxSize: number;
  private readonly onError: JsonErrorSink;
  private mode = IDLE;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private isObject = false;
  /** Text of the value in progress taken from earlier chunks ('' when it started in this one). */
  private pending = '';
  /** The value in progress outgrew maxSize: its text is dropped, its structure still tracked. */
  private skipping = false;

  constructor(maxSize: number, onError: JsonErrorSink) {
    if (!(maxSize > 0)) throw new RangeError('maxSize must be positive');
    this.maxSize = maxSize;
    this.onError = onError;
  }

  /** Whether a value is in progress (carried over to the next chunk). */
  get midValue(): boolean {
    return this.mode !== IDLE;
  }

  /** Scans `text` (the next decoded chunk) and appends every complete object to `out`. */
  push(text: string, out: Record<string, unknown>[]): void {
    const n = text.length;
    // State lives in locals for the loop; written back at the end.
    let mode = this.mode;
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    let start = 0; // start of the value in progress within `text`
    let i = 0;
    const maxSize = this.maxSize;
    let nl = -2; // next line feed at or after i (-1: none left in this chunk)
    let noFastUntil = -1; // fast path disabled for positions <= this
    let q = -1; // next `"`, `\\` and line feed at or after i (n: none left)
    let bs = -1;
    let lf = -1;
    while (i < n) {
      let c = text.charCodeAt(i);
      if (inString) {
        if (!escaped && c !== QUOTE && c !== BACKSLASH && c !== LF) {
          // Jump over the plain part of the string to the next character that matters. Each
          // position cache only moves forward, so a chunk is still searched once overall.
          if (q < i) q = indexOr(text, '"', i, n);
          if (bs < i) bs = indexOr(text, '\\', i, n);
          if (lf < i) lf = indexOr(text, '\n', i, n);
          i = q < bs ? (q < lf ? q : lf) : bs < lf ? bs : lf;
          if (i >= n) break;
          c = text.charCodeAt(i);
        }
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (mode === TOP_STRING) {
            this.finish(text, start, i + 1, out, false);
            mode = IDLE;
          }
        } else if (c === LF) {
          // Rule 2: unescaped line feed inside a string.
          this.fail('invalid', 'unescaped line feed inside a string (unterminated string?)', text, start, i);
          inString = false;
          escaped = false;
          depth = 0;
          mode = IDLE;
        }
        i++;
        continue;
      }
      if (mode === NESTED) {
        if (c === QUOTE) inString = true;
        else if (c === LBRACE || c === LBRACKET) depth++;
        else if ((c === RBRACE || c === RBRACKET) && --depth === 0) {
          this.finish(text, start, i + 1, out, this.isObject);
          mode = IDLE;
        }
        i++;
        continue;
      }
      if (mode === IDLE) {
        if (c === LBRACE && i > noFastUntil) {
          // Fast path for newline-delimited streams: when a whole line starting at `{` parses, it
          // is exactly one object, the same result the scanner would reach at a fraction of the
          // cost. On failure the scanner takes over and the fast path is off until the next line.
          if (nl < i && nl !== -1) nl = text.indexOf('\n', i);
          if (nl !== -1 && nl - i <= maxSize) {
            try {
              out.push(JSON.parse(text.slice(i, nl)) as Record<string, unknown>);
              i = nl + 1;
              continue;
            } catch {
              noFastUntil = nl;
            }
          } else {
            noFastUntil = nl === -1 ? n : nl;
          }
        }
        if (c === LBRACE || c === LBRACKET) {
          mode = NESTED;
          depth = 1;
          this.isObject = c === LBRACE;
          start = i;
        } else if (c === QUOTE) {
          mode = TOP_STRING;
          inString = true;
          start = i;
        } else if (c !== SPACE && c !== LF && c !== CR && c !== TAB) {
          mode = BARE;
          start = i;
        }
        i++;
        continue;
      }
      // BARE: ends before whitespace or the start of a bracketed/quoted value (re-scanned as IDLE).
      if (c === SPACE || c === LF || c === CR || c === TAB || c === LBRACE || c === LBRACKET || c === QUOTE) {
        this.finishBare(text, start, i);
        mode = IDLE;
        continue;
      }
      i++;
    }
    this.mode = mode;
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    if (mode !== IDLE && !this.skipping) {
      const size = this.pending.length + (n - start);
      if (size > this.maxSize) {
        // Rule 4: stop buffering now; the error is reported when the value ends.
        this.skipping = true;
        this.pending = (this.pending + text.slice(start, start + SAMPLE)).slice(0, SAMPLE);
      } else {
        this.pending = start === 0 && this.pending === '' ? text : this.pending + text.slice(start);
      }
    }
  }

  /** End of stream: a value still open is skipped as truncated (rule 5). */
  end(): void {
    if (this.mode === BARE && !this.skipping) {
      this.finishBare('', 0, 0);
    } else if (this.mode !== IDLE) {
      this.fail('truncated', 'connection closed in the middle of a value', '', 0, 0);
    }
    this.reset();
  }

  private reset(): void {
    this.mode = IDLE;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.pending = '';
    this.skipping = false;
  }

  /** A bracketed or quoted value ended at `end` (exclusive). */
  private finish(
    text: string,
    start: number,
    end: number,
    out: Record<string, unknown>[],
    isObject: boolean,
  ): void {
    if (this.skipping) {
      this.fail('oversized', `value larger than ${this.maxSize} bytes`, text, start, end);
      return;
    }
    const pending = this.pending;
    if (pending.length + (end - start) > this.maxSize) {
      this.fail('oversized', `value larger than ${this.maxSize} bytes`, text, start, end);
      return;
    }
    const json = pending === '' ? text.slice(start, end) : pending + text.slice(0, end);
    this.pending = '';
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (err) {
      this.onError('invalid', (err as Error).message, json.slice(0, SAMPLE));
      return;
    }
    if (isObject) out.push(value as Record<string, unknown>);
    else this.onError('not_object', `top-level ${describe(value)} is not an object`, json.slice(0, SAMPLE));
  }

  private finishBare(text: string, start: number, end: number): void {
    if (this.skipping) {
      this.fail('oversized', `value larger than ${this.maxSize} bytes`, text, start, end);
      return;
    }
    const raw = this.pending === '' ? text.slice(start, end) : this.pending + text.slice(0, end);
    this.pending = '';
    let kind: JsonErrorKind = 'invalid';
    let message = 'not JSON';
    try {
      const value: unknown = JSON.parse(raw);
      kind = 'not_object';
      message = `top-level ${describe(value)} is not an object`;
    } catch {
      // Garbage such as a stray `}`: reported as invalid.
    }
    if (raw.length > this.maxSize) {
      kind = 'oversized';
      message = `value larger than ${this.maxSize} bytes`;
    }
    this.onError(kind, message, raw.slice(0, SAMPLE));
  }

  /** Skips the value in progress (whose text so far is pending + text[start, end)). */
  private fail(kind: JsonErrorKind, message: string, text: string, start: number, end: number): void {
    const sample =
      this.pending.length >= SAMPLE
        ? this.pending.slice(0, SAMPLE)
        : (this.pending + text.slice(this.pending === '' ? start : 0, end)).slice(0, SAMPLE);
    this.pending = '';
    this.skipping = false;
    this.onError(kind, message, sample);
  }
}

function indexOr(text: string, ch: string, from: number, n: number): number {
  const at = text.indexOf(ch, from);
  return at === -1 ? n : at;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
