// The slice of Fluent Bit's record accessor that Id_Key and Logstash_Prefix_Key take:
// `$key`, `$key['sub'][0]`, `$TAG`, and for the prefix a template mixing them with text
// (`logs-$kubernetes['namespace_name']`). A bare `key` means `$key`, as Fluent Bit prepends the `$`.

type Step = string | number;
type Path = readonly Step[];

// Compiled per use: a shared global regex carries `lastIndex` from one caller into the next.
const TOKEN = String.raw`\$([A-Za-z_][\w.-]*|TAG)((?:\[(?:'[^']*'|"[^"]*"|\d+)\])*)`;
const TAG_PART: unique symbol = Symbol('tag');
const SUBSCRIPT = /\[(?:'([^']*)'|"([^"]*)"|(\d+))\]/g;

function parsePath(head: string, subscripts: string): Path {
  const path: Step[] = [head];
  for (const m of subscripts.matchAll(SUBSCRIPT))
    path.push(m[3] !== undefined ? Number(m[3]) : (m[1] ?? m[2] ?? ''));
  return path;
}

/** The value at `path`, or undefined when any step is missing or of the wrong kind. */
export function lookup(record: Readonly<Record<string, unknown>>, path: Path): unknown {
  let v: unknown = record;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(v)) return undefined;
      v = v[step];
    } else {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.hasOwn(v, step))
        return undefined;
      v = (v as Record<string, unknown>)[step];
    }
  }
  return v;
}

/** A single accessor (Id_Key): returns the raw value. */
export function compileAccessor(spec: string): (record: Readonly<Record<string, unknown>>) => unknown {
  const src = spec.startsWith('$') ? spec : '$' + spec;
  const m = new RegExp(`^${TOKEN}$`).exec(src);
  const path: Path = m === null ? [spec] : parsePath(m[1] ?? '', m[2] ?? '');
  return (record) => lookup(record, path);
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** A template (Logstash_Prefix_Key): accessors replaced by their values, missing ones by nothing. */
export function compileTemplate(
  spec: string,
): (record: Readonly<Record<string, unknown>>, tag: string) => string {
  const src = spec.startsWith('$') ? spec : '$' + spec;
  const parts: (string | Path | typeof TAG_PART)[] = [];
  let at = 0;
  for (const m of src.matchAll(new RegExp(TOKEN, 'g'))) {
    if (m.index > at) parts.push(src.slice(at, m.index));
    parts.push(m[1] === 'TAG' && (m[2] ?? '') === '' ? TAG_PART : parsePath(m[1] ?? '', m[2] ?? ''));
    at = m.index + m[0].length;
  }
  if (at < src.length) parts.push(src.slice(at));
  return (record, tag) => {
    let out = '';
    for (const p of parts) out += p === TAG_PART ? tag : typeof p === 'string' ? p : text(lookup(record, p));
    return out;
  };
}
