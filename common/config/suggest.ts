/** Levenshtein distance with an early exit once every cell of a row passes `max`. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length] ?? max + 1;
}

/**
 * The known word closest to `word`, if it is close enough to be a plausible typo:
 * at most a third of the word's length in edits (minimum 1, maximum 3), compared
 * case-insensitively and treating `-`/`_` alike since both spellings turn up in configs.
 */
export function closestMatch(word: string, known: Iterable<string>): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replaceAll('-', '_');
  const w = norm(word);
  const max = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestD = max + 1;
  for (const k of known) {
    const d = editDistance(w, norm(k), max);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}
