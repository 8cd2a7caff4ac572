// Which part of a file has been acknowledged downstream?
//
// Acks arrive per line, per multiline record or per batch, and out of order (two forward upstreams,
// retries). The offset that may be written to the DB is the end of the longest acknowledged prefix:
// everything before it is acked, the byte at it is not. Acked ranges above that are kept, merged,
// until the hole below them is filled.
//
// The common case (in-order acks) is O(1): the range starts at the committed offset and just moves
// it. Out-of-order ranges go into a small sorted list of disjoint intervals.
export class CommitTracker {
  /** Every byte before this is acked. */
  committed: number;
  /** Sorted, disjoint, non-adjacent [start, end) pairs, all above `committed`. */
  private readonly pending: number[] = [];

  constructor(committed: number) {
    this.committed = committed;
  }

  /** Marks [from, to) acked; returns true when `committed` moved. */
  ack(from: number, to: number): boolean {
    if (to <= this.committed || to <= from) return false;
    if (from <= this.committed) {
      this.committed = to;
      this.absorb();
      return true;
    }
    this.insert(from, to);
    return false;
  }

  /** Acked bytes waiting for a hole below them to be filled. */
  pendingRanges(): readonly number[] {
    return this.pending;
  }

  private absorb(): void {
    const p = this.pending;
    let k = 0;
    while (k < p.length && (p[k] ?? 0) <= this.committed) {
      const end = p[k + 1] ?? 0;
      if (end > this.committed) this.committed = end;
      k += 2;
    }
    if (k > 0) p.splice(0, k);
  }

  private insert(from: number, to: number): void {
    const p = this.pending;
    // Find the first interval that ends at or after `from` (it may touch or overlap).
    let i = 0;
    while (i < p.length && (p[i + 1] ?? 0) < from) i += 2;
    let j = i;
    let lo = from;
    let hi = to;
    while (j < p.length && (p[j] ?? 0) <= hi) {
      lo = Math.min(lo, p[j] ?? lo);
      hi = Math.max(hi, p[j + 1] ?? hi);
      j += 2;
    }
    p.splice(i, j - i, lo, hi);
  }
}
