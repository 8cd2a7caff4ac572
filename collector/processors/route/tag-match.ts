/**
 * Fluent Bit's `Match` semantics: the pattern must match the whole tag, `*` matches any run
 * of characters (dots included), every other character matches itself, case-sensitively.
 * Iterative with backtracking to the last `*`, so a hostile pattern or tag costs
 * O(pattern × tag) at worst, never exponential time.
 */
export function matchTag(pattern: string, tag: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < tag.length) {
    if (p < pattern.length && pattern.charCodeAt(p) === 42 /* * */) {
      star = p++;
      mark = t;
    } else if (p < pattern.length && pattern.charCodeAt(p) === tag.charCodeAt(t)) {
      p++;
      t++;
    } else if (star !== -1) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern.charCodeAt(p) === 42) p++;
  return p === pattern.length;
}

const CACHE_LIMIT = 10_000;

/**
 * A matcher for any of `patterns`. Tags repeat endlessly (one per input stream), so results
 * are cached; the cache is cleared when full so hostile tags cannot grow memory.
 */
export function compileTagMatcher(patterns: readonly string[]): (tag: string) => boolean {
  if (patterns.length === 0) return () => false;
  if (patterns.includes('*')) return () => true;
  const list = [...patterns];
  const cache = new Map<string, boolean>();
  return (tag: string): boolean => {
    const hit = cache.get(tag);
    if (hit !== undefined) return hit;
    let m = false;
    for (const p of list) {
      if (matchTag(p, tag)) {
        m = true;
        break;
      }
    }
    if (tag.length <= 1024) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(tag, m);
    }
    return m;
  };
}
