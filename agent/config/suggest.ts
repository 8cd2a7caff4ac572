import { closestMatch } from '../../common/config/index.ts';

/**
 * `closestMatch`, plus one swap of neighbouring letters (`tial` → `tail`), the typo that
 * plain edit distance counts as two edits and so misses in short words.
 */
export function suggest(word: string, known: Iterable<string>): string | undefined {
  const list = [...known];
  const near = closestMatch(word, list);
  if (near !== undefined) return near;
  const w = word.toLowerCase();
  for (const k of list) {
    const c = k.toLowerCase();
    if (c.length !== w.length) continue;
    const diff: number[] = [];
    for (let i = 0; i < w.length && diff.length <= 2; i++) if (w[i] !== c[i]) diff.push(i);
    const [a, b] = diff;
    if (diff.length === 2 && a !== undefined && b === a + 1 && w[a] === c[b] && w[b] === c[a]) return k;
  }
  return undefined;
}
