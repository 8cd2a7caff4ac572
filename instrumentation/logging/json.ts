// JSON for records that may hold anything a caller passed: BigInt, cycles, throwing getters.
function replacer(): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>();
  return (_key, value) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) return { name: value.name, message: value.message };
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
    }
    return value;
  };
}

/** JSON.stringify, falling back to a tolerant pass; never throws. */
export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    try {
      return JSON.stringify(value, replacer()) ?? 'null';
    } catch (error) {
      return JSON.stringify({ message: '[unserialisable record]', 'error.message': String(error) });
    }
  }
}
