// Record key writes that keep a `__proto__` key as data: records come from JSON.parse, where it is
// an ordinary own key, and a plain assignment would change the object's prototype instead.

export function setKey(record: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    record[key] = value;
  }
}
