// Types: `code:integer duration:float ok:bool id:hex name:string`, applied by
// the regex and logfmt parsers to the string values they capture (Fluent Bit
// applies Types there only; JSON values are already typed).
//
// Conversions follow C's atoll / atof / strtoull as Fluent Bit uses them: a
// numeric prefix is enough ("12ms" -> 12, " 7" -> 7). One deliberate
// difference: where there is no numeric prefix at all ("abc"), Fluent Bit
// writes 0; we keep the original string, so no data is silently replaced
// (bool already behaves like this in Fluent Bit).

export type CastType = 'integer' | 'float' | 'bool' | 'hex' | 'string';

const CAST_TYPES: readonly CastType[] = ['integer', 'float', 'bool', 'hex', 'string'];

export type Caster = (value: string) => unknown;

/** Parses a Types value into key -> type; throws Error naming the bad entry. */
export function parseTypes(spec: string): Map<string, CastType> {
  const out = new Map<string, CastType>();
  for (const entry of spec.split(/\s+/)) {
    if (entry === '') continue;
    const colon = entry.indexOf(':');
    if (colon <= 0) throw new Error(`entry '${entry}' is not key:type`);
    const key = entry.slice(0, colon);
    const type = entry.slice(colon + 1).toLowerCase();
    if (!(CAST_TYPES as readonly string[]).includes(type)) {
      throw new Error(`entry '${entry}': unknown type '${type}' (expected one of ${CAST_TYPES.join(', ')})`);
    }
    out.set(key, type as CastType);
  }
  return out;
}

// The nearest doubles to 2^63 - 1 and 2^64 - 1 (numbers cannot hold them exactly).
const INT64_MAX = 2 ** 63;
const UINT64_MAX = 2 ** 64;

const INT_PREFIX = /^[ \t\n\v\f\r]*([+-]?\d+)/;
const FLOAT_PREFIX =
  /^[ \t\n\v\f\r]*([+-]?(?:0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan))/i;
const HEX_PREFIX = /^[ \t\n\v\f\r]*([+-]?)(?:0[xX](?=[0-9a-fA-F]))?([0-9a-fA-F]+)/;

export function castInteger(value: string): unknown {
  const m = INT_PREFIX.exec(value);
  if (!m) return value;
  const n = Number(m[1]);
  // atoll saturates on overflow. Beyond 2^53 precision is lost, as with JSON.parse.
  if (n > INT64_MAX) return INT64_MAX;
  if (n < -INT64_MAX) return -INT64_MAX;
  return n === 0 ? 0 : n; // no -0
}

export function castFloat(value: string): unknown {
  const m = FLOAT_PREFIX.exec(value);
  if (!m) return value;
  const text = (m[1] as string).toLowerCase();
  const neg = text.startsWith('-');
  const body = neg || text.startsWith('+') ? text.slice(1) : text;
  let n: number;
  if (body.startsWith('inf')) n = Infinity;
  else if (body === 'nan') n = NaN;
  else if (body.startsWith('0x')) n = parseHexFloat(body.slice(2));
  else n = Number(body);
  return neg ? -n : n;
}

function parseHexFloat(body: string): number {
  const [mant = '', exp] = body.split('p');
  const [intPart = '', fracPart = ''] = mant.split('.');
  let n = intPart === '' ? 0 : parseInt(intPart, 16);
  for (let i = 0; i < fracPart.length; i++) n += parseInt(fracPart[i] as string, 16) / 16 ** (i + 1);
  return exp === undefined ? n : n * 2 ** Number(exp);
}

export function castHex(value: string): unknown {
  const m = HEX_PREFIX.exec(value);
  if (!m) return value;
  let n = parseInt(m[2] as string, 16);
  if (n > UINT64_MAX) n = UINT64_MAX;
  // strtoull negates in unsigned arithmetic; keep it simple and readable instead.
  return m[1] === '-' ? -n : n;
}

export function castBool(value: string): unknown {
  // Fluent Bit: case-insensitive prefix "true" / "false"; anything else stays a string.
  const c = value.charCodeAt(0) | 0x20;
  if (c === 116 /* t */ && value.length >= 4 && value.slice(0, 4).toLowerCase() === 'true') return true;
  if (c === 102 /* f */ && value.length >= 5 && value.slice(0, 5).toLowerCase() === 'false') return false;
  return value;
}

export function casterFor(type: CastType): Caster {
  switch (type) {
    case 'integer':
      return castInteger;
    case 'float':
      return castFloat;
    case 'bool':
      return castBool;
    case 'hex':
      return castHex;
    case 'string':
      return (v) => v;
  }
}

/** key -> caster, or undefined when no Types were given (the common, fast case). */
export function compileTypes(spec: string | undefined): Map<string, Caster> | undefined {
  if (spec === undefined || spec.trim() === '') return undefined;
  const out = new Map<string, Caster>();
  for (const [key, type] of parseTypes(spec)) out.set(key, casterFor(type));
  return out;
}
