// Fluent Bit compiles filter regexes with Onigmo (Ruby syntax) and searches anywhere in the value
// (onig_search). The parsers' translation gives the same meaning in JavaScript; a pattern it cannot
// express is a set-up error, never a silent mismatch at run time.
import { compileRubyRegex } from '../../parsers/oniguruma.ts';

export function compileFilterRegex(
  pattern: string,
): { ok: true; re: RegExp } | { ok: false; message: string } {
  if (pattern === '') return { ok: false, message: 'the regular expression is empty' };
  try {
    return { ok: true, re: compileRubyRegex(pattern) };
  } catch (err) {
    const why = (err as Error).message.replace(/^Invalid regular expression: /, '');
    return { ok: false, message: `invalid regular expression \`${pattern}\`: ${why}` };
  }
}
