// `Format none`: the stream is cut on `Separator` and each piece becomes `{ log: piece }`.
//
// Only the unterminated tail of the previous chunk is carried over (bounded by `maxSize`); a
// piece longer than `maxSize` is dropped as soon as that is known, the rest of it up to the next
// separator is discarded without buffering, and one `oversized` error is reported. Empty pieces
// (two separators in a row) produce no record. At end of stream a non-empty unterminated piece is
// still a record: the sender closed the connection after it, nothing more will complete it.

export type SeparatedErrorSink = (kind: 'oversized', message: string, sample: string) => void;

const SAMPLE = 80;

export class SeparatedSplitter {
  readonly separator: string;
  readonly maxSize: number;
  private readonly onError: SeparatedErrorSink;
  private pending = '';
  /** Inside an oversized piece: discard up to the next separator. */
  private skipping = false;

  constructor(separator: string, maxSize: number, onError: SeparatedErrorSink) {
    if (separator === '') throw new RangeError('separator must not be empty');
    if (!(maxSize > 0)) throw new RangeError('maxSize must be positive');
    this.separator = separator;
    this.maxSize = maxSize;
    this.onError = onError;
  }

  push(text: string, out: Record<string, unknown>[]): void {
    const sep = this.separator;
    const s = this.pending === '' ? text : this.pending + text;
    let from = 0;
    for (;;) {
      const at = s.indexOf(sep, from);
      if (at < 0) break;
      if (this.skipping) this.skipping = false;
      else this.emit(s.slice(from, at), out);
      from = at + sep.length;
    }
    const rest = s.length - from;
    if (this.skipping) {
      // Keep only what could be the start of a separator split across chunks.
      this.pending = s.slice(Math.max(from, s.length - (sep.length - 1)));
    } else if (rest > this.maxSize) {
      this.onError('oversized', `record larger than ${this.maxSize} bytes`, s.slice(from, from + SAMPLE));
      this.skipping = true;
      this.pending = s.slice(Math.max(from, s.length - (sep.length - 1)));
    } else {
      this.pending = rest === 0 ? '' : s.slice(from);
    }
  }

  /** End of stream: an unterminated last piece is still a record. */
  end(out: Record<string, unknown>[]): void {
    if (!this.skipping && this.pending !== '') this.emit(this.pending, out);
    this.pending = '';
    this.skipping = false;
  }

  private emit(piece: string, out: Record<string, unknown>[]): void {
    if (piece.length === 0) return;
    if (piece.length > this.maxSize) {
      this.onError('oversized', `record larger than ${this.maxSize} bytes`, piece.slice(0, SAMPLE));
      return;
    }
    out.push({ log: piece });
  }
}
