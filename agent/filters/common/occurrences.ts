// Repeatable rule keys (`Rule`, `Set`, `Regex`, ...) with where each value was written. Fluent Bit
// applies rules in the order the properties appear in the section, across keys (`Rename` then
// `Add` then `Rename` again), so the occurrences of several keys are merged back into file order.
import type { RoutedInstance } from '../../config/types.ts';

export interface Occurrence {
  /** The key as the user spelled it (`Hard_rename`), for messages. */
  readonly key: string;
  readonly value: string;
  readonly file: string;
  readonly line: number;
}

/** Every value of `key`, in order, with its place; falls back to `values` for hand-built instances. */
export function occurrencesOf(instance: RoutedInstance, key: string): Occurrence[] {
  const lower = key.toLowerCase();
  const p = instance.properties.get(lower);
  if (p !== undefined) {
    return p.occurrences.map((o) => ({ key: p.key, value: o.value, file: o.file, line: o.line }));
  }
  const v = instance.values[lower];
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? (v as readonly string[]) : [];
  return list.map((value) => ({ key, value, file: instance.file, line: instance.line }));
}

/**
 * The occurrences of several keys in the order they were written. A section lives in one file, so
 * the line orders them; the sort is stable, so values sharing a line (a YAML list) keep their order.
 */
export function occurrencesInOrder(
  instance: RoutedInstance,
  keys: readonly string[],
): { readonly name: string; readonly at: Occurrence }[] {
  const all: { name: string; at: Occurrence }[] = [];
  for (const name of keys) for (const at of occurrencesOf(instance, name)) all.push({ name, at });
  return all.sort((a, b) => a.at.line - b.at.line);
}
