import type { TypedValue } from './types.ts';

/**
 * Typed reads of `values` for plugin code. The tables guarantee the types, so a mismatch
 * is a programming error (a key read with the wrong getter), hence a throw, not a result.
 */
type Values = Readonly<Record<string, TypedValue>>;

function wrong(key: string, want: string, got: TypedValue | undefined): Error {
  return new TypeError(
    `config key ${key}: expected ${want}, found ${got === undefined ? 'nothing' : typeof got}`,
  );
}

export function getString(values: Values, key: string): string | undefined {
  const v = values[key.toLowerCase()];
  if (v === undefined || typeof v === 'string') return v;
  throw wrong(key, 'a string', v);
}

/** Sizes (bytes), times (seconds) and ints. `Retry_Limit no_limits` is `false`: read it with `values`. */
export function getNumber(values: Values, key: string): number | undefined {
  const v = values[key.toLowerCase()];
  if (v === undefined || typeof v === 'number') return v;
  throw wrong(key, 'a number', v);
}

export function getBool(values: Values, key: string): boolean | undefined {
  const v = values[key.toLowerCase()];
  if (v === undefined || typeof v === 'boolean') return v;
  throw wrong(key, 'a boolean', v);
}

export function getList(values: Values, key: string): readonly string[] | undefined {
  const v = values[key.toLowerCase()];
  if (v === undefined || Array.isArray(v)) return v as readonly string[] | undefined;
  throw wrong(key, 'a list', v);
}
