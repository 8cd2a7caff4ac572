// Metadata cache: entries expire at their own deadline (Kube_Meta_Cache_TTL for answers, a short
// retry delay for failures; Infinity for "until evicted"), and the oldest entry makes room when the
// cache is full. Fluent Bit evicts at random; the oldest is as good a guess and deterministic.

export class TtlCache<V> {
  private readonly max: number;
  private readonly entries = new Map<string, { readonly value: V; readonly expires: number }>();

  constructor(max: number) {
    this.max = max;
  }

  get(key: string, now: number): V | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (now >= e.expires) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V, expires: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expires });
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
