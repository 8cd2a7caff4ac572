// RFC 8785 (JCS) for what JSON.parse produces: plain objects, arrays, strings, finite numbers,
// booleans, null. JCS serialises primitives exactly as ECMAScript's JSON.stringify does and sorts
// object keys by UTF-16 code unit (not in JavaScript's own key order, which puts integer-like keys
// first). This runs once per event on the hot path: a plain recursion with a fast path for strings
// that need no escaping, about twice as fast as the general `canonicalize` package (which also
// handles toJSON, boxed primitives and cycles, which parsed JSON never has), and checked against
// it in the tests.

/** Characters JSON.stringify would escape, and surrogates (which need a well-formedness check). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;

function str(s: string): string {
  if (!NEEDS_CARE.test(s)) return '"' + s + '"';
  if (!s.isWellFormed()) throw new TypeError('lone UTF-16 surrogate: no canonical JSON form');
  return JSON.stringify(s);
}

function value(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return str(v);
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError('non-finite number: no JSON form');
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + (value(v[i]) ?? 'null');
        return out + ']';
      }
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).sort();
      let out = '{';
      for (const k of keys) {
        const s = value(o[k]);
        if (s === undefined) continue;
        out += (out.length > 1 ? ',' : '') + str(k) + ':' + s;
      }
      return out + '}';
    }
    default:
      // undefined, functions, symbols: dropped from objects, null in arrays (as JSON.stringify does).
      return undefined;
  }
}

export function canonicalize(v: Record<string, unknown>): string {
  return value(v) as string;
}
