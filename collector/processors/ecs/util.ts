export type Obj = Record<string, unknown>;

/** A map-like value we can read fields of: not null, not an array, not a byte buffer. */
export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/**
 * Assigns without ever going through the `__proto__` setter: a record key `__proto__` must
 * become an ordinary field, not replace the output object's prototype.
 */
export function setOwn(obj: Obj, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Reads an own field only: `obj.constructor` or `obj.__proto__` must not reach Object.prototype. */
export function getOwn(obj: Obj, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** A string usable as an identifier-like keyword field: non-empty and at most `max` characters. */
export function str(v: unknown, max = 1024): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}
