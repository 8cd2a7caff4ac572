/** Environment as `process.env` has it. */
export type Env = Readonly<Record<string, string | undefined>>;

export type ExpandResult =
  | { readonly ok: true; readonly value: string; readonly changed: boolean }
  | { readonly ok: false; readonly problems: readonly ExpandProblem[] };

export interface ExpandProblem {
  /** Offset of the `$` in the scalar's value. */
  readonly offset: number;
  readonly message: string;
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

/**
 * Expands `${VAR}` and `${VAR:-default}` in one string; `$${` yields a literal `${`.
 *
 * Works on a scalar's value, never on the file text, so whatever a variable holds stays
 * inside that one scalar: a value containing `\n  admin: true` cannot add keys.
 * `:-` follows the shell: the default is used when the variable is unset *or empty*.
 * A bare `$VAR` (no braces) is left alone, as Fluent Bit's YAML loader and the OTel
 * collector do, so that passwords or regexes containing `$` survive.
 */
export function expandEnv(input: string, env: Env): ExpandResult {
  if (!input.includes('$')) return { ok: true, value: input, changed: false };
  let out = '';
  let last = 0;
  const problems: ExpandProblem[] = [];
  let i = input.indexOf('$');
  while (i !== -1 && i < input.length) {
    if (input.startsWith('$${', i)) {
      out += input.slice(last, i) + '${';
      last = i + 3;
      i = input.indexOf('$', last);
      continue;
    }
    if (input.charCodeAt(i + 1) !== 123 /* { */) {
      i = input.indexOf('$', i + 1);
      continue;
    }
    const close = input.indexOf('}', i + 2);
    if (close === -1) {
      problems.push({
        offset: i,
        message: 'unterminated `${`: add the closing `}` or write `$${` for a literal',
      });
      break;
    }
    const body = input.slice(i + 2, close);
    const sep = body.indexOf(':-');
    const name = sep === -1 ? body : body.slice(0, sep);
    let valid = name.length > 0 && isNameStart(name.charCodeAt(0));
    for (let k = 1; valid && k < name.length; k++) valid = isNameChar(name.charCodeAt(k));
    if (!valid) {
      problems.push({
        offset: i,
        message: `invalid variable reference \`\${${body}}\`: names are letters, digits and \`_\`, not starting with a digit`,
      });
    } else {
      const v = env[name];
      if (v !== undefined && (v !== '' || sep === -1)) {
        out += input.slice(last, i) + v;
      } else if (sep !== -1) {
        out += input.slice(last, i) + body.slice(sep + 2);
      } else {
        problems.push({
          offset: i,
          message: `environment variable \`${name}\` is not set (write \`\${${name}:-default}\` to give a default)`,
        });
      }
    }
    last = close + 1;
    i = input.indexOf('$', last);
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: out + input.slice(last), changed: true };
}

/**
 * Gives a plain (unquoted) scalar that was entirely `${VAR}` the type YAML would have
 * given the same text written literally, so `port: ${PORT}` is a number like `port: 8080`.
 * Only scalar types are produced, never maps or sequences; quoted scalars stay strings.
 */
export function resolvePlainScalar(text: string): string | number | boolean | null {
  switch (text) {
    case '':
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return null;
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
  }
  if (/^[-+]?(?:0|[1-9][0-9]*)$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  return text;
}
