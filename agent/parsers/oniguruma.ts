// Fluent Bit compiles Regex with Oniguruma in Ruby syntax. Most Ruby regexes
// are valid JavaScript, but not all of them mean the same thing there; this
// translates the differences that show up in real parser configs:
// - an optional /.../ or /.../i wrapper (Fluent Bit strips it);
// - ^ and $ are line anchors in Ruby: the JS `m` flag;
// - \A \z \Z \h \H;
// - POSIX brackets such as [[:alpha:]];
// - (?<name>...) is shared; Ruby's (?'name'...) becomes (?<name>...);
// - a leading (?i) becomes the `i` flag; Ruby's (?m:...) (dot matches newline) becomes (?s:...).
// Anything else JavaScript rejects (atomic groups, possessive quantifiers,
// \K, conditionals) raises a clear error at parser creation.

export interface TranslatedRegex {
  source: string;
  flags: string;
}

const POSIX_CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: '\\s',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9a-fA-F',
  word: '\\w',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
};

export function translateRubyRegex(pattern: string): TranslatedRegex {
  let src = pattern;
  let flags = 'm';
  if (src.length >= 3 && src.startsWith('/') && src.endsWith('/i')) {
    src = src.slice(1, -2);
    flags += 'i';
  } else if (src.length >= 2 && src.startsWith('/') && src.endsWith('/')) {
    src = src.slice(1, -1);
  }
  if (src.startsWith('(?i)')) {
    src = src.slice(4);
    if (!flags.includes('i')) flags += 'i';
  }

  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === '\\') {
      const n = src[i + 1];
      i++;
      if (n === undefined) {
        out += '\\\\';
        break;
      }
      switch (n) {
        case 'h':
          out += inClass ? '0-9a-fA-F' : '[0-9a-fA-F]';
          break;
        case 'H':
          out += inClass ? '\\x00-\\x2f\\x3a-\\x40\\x47-\\x60\\x67-\\uffff' : '[^0-9a-fA-F]';
          break;
        case 'A':
          out += inClass ? 'A' : '(?<![\\s\\S])';
          break;
        case 'z':
          out += inClass ? 'z' : '(?![\\s\\S])';
          break;
        case 'Z':
          out += inClass ? 'Z' : '(?=\\n?(?![\\s\\S]))';
          break;
        default:
          out += '\\' + n;
      }
      continue;
    }
    if (inClass) {
      if (c === '[' && src[i + 1] === ':') {
        const end = src.indexOf(':]', i + 2);
        const name = end > 0 ? src.slice(i + 2, end) : '';
        const negated = name.startsWith('^');
        const cls = POSIX_CLASSES[negated ? name.slice(1) : name];
        if (cls !== undefined && !negated) {
          out += cls;
          i = end + 1;
          continue;
        }
        if (cls !== undefined && negated) {
          throw new SyntaxError(`negated POSIX class [[:^${name.slice(1)}:]] is not supported`);
        }
      }
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal in Ruby.
      if (src[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      if (src[i + 2] === "'") {
        const end = src.indexOf("'", i + 3);
        if (end > 0) {
          out += '(?<' + src.slice(i + 3, end) + '>';
          i = end;
          continue;
        }
      }
      const mod = /^\(\?([imx]*)(?:-([imx]*))?:/.exec(src.slice(i));
      if (mod && (mod[1] !== '' || (mod[2] ?? '') !== '')) {
        if ((mod[1] + (mod[2] ?? '')).includes('x')) {
          throw new SyntaxError(`extended-mode group '${mod[0]}' is not supported`);
        }
        // Ruby's m is JS's s (dot matches newline).
        const on = (mod[1] ?? '').replace('m', 's');
        const off = (mod[2] ?? '').replace('m', 's');
        out += '(?' + on + (off !== '' ? '-' + off : '') + ':';
        i += mod[0].length - 1;
        continue;
      }
    }
    out += c;
  }
  return { source: out, flags };
}

/** Compiles a Fluent Bit (Ruby/Oniguruma) regex to a RegExp; throws SyntaxError with the reason. */
export function compileRubyRegex(pattern: string): RegExp {
  const { source, flags } = translateRubyRegex(pattern);
  return new RegExp(source, flags);
}
