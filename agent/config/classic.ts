import { suggest } from './suggest.ts';
import type { From, ReadContext } from './include.ts';
import { resolveInclude, withFile } from './include.ts';
import type { RawSection } from './raw.ts';
import { SECTION_NAMES, UNSUPPORTED_SECTIONS } from './raw.ts';

/** Reads a classic-mode file (and what it includes) into `ctx.raw`; problems go to `ctx.issues`. */
export function readClassicFile(path: string, ctx: ReadContext, from?: From): void {
  withFile(path, ctx, from, (text, file) => parseClassicText(text, file, ctx));
}

const SECTION_RE = /^\[([^\]]*)\]/;

/** Parses one file's text; `@INCLUDE`d files are read through `readClassicFile`. */
export function parseClassicText(text: string, file: string, ctx: ReadContext): void {
  const lines = text.split('\n');
  let section: RawSection | undefined;
  let skipping = false; // inside a section we rejected: its keys would only add noise
  let indent: { text: string; line: number } | undefined;

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = lines[i] ?? '';
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    const first = line.charCodeAt(0);

    // Full-line comments only; "#" anywhere else is part of the value, as in Fluent Bit.
    if (first === 35 /* # */) continue;

    if (first === 64 /* @ */) {
      command(line, file, lineNo, ctx);
      continue;
    }

    if (first === 91 /* [ */) {
      const m = SECTION_RE.exec(line);
      if (!m) {
        ctx.issues.add(file, lineNo, `bad section header \`${line.trim()}\`: missing the closing \`]\``);
        section = undefined;
        skipping = true;
        continue;
      }
      const name = (m[1] ?? '').trim();
      const kind = SECTION_NAMES[name.toLowerCase()];
      if (kind === undefined) {
        const lower = name.toLowerCase();
        if (UNSUPPORTED_SECTIONS.has(lower)) {
          ctx.issues.add(
            file,
            lineNo,
            `section [${name}] is a Fluent Bit section that Tributary does not support`,
          );
        } else {
          const hint = suggest(name, Object.keys(SECTION_NAMES));
          ctx.issues.add(
            file,
            lineNo,
            `unknown section [${name}]${hint ? `, did you mean [${hint.toUpperCase()}]?` : ''} (sections: SERVICE, INPUT, FILTER, OUTPUT, PARSER, MULTILINE_PARSER)`,
          );
        }
        section = undefined;
        skipping = true;
        continue;
      }
      section = { kind, file, line: lineNo, props: [], rejected: new Set() };
      skipping = false;
      ctx.raw.sections.push(section);
      continue;
    }

    // Anything else is an entry, which must be indented and inside a section.
    const lead = /^[ \t]*/.exec(line)?.[0] ?? '';
    const body = line.slice(lead.length);
    if (lead === '') {
      const key = body.split(/[ \t]/, 1)[0] ?? body;
      ctx.issues.add(
        file,
        lineNo,
        section || skipping
          ? `key \`${key}\` is not indented: entries of a section must be indented (4 spaces is usual)`
          : `\`${key}\` is outside any section: a config starts with a section such as [SERVICE] or [INPUT]`,
        key,
      );
      // Keep the entry (when it parses) so that its absence does not cause more errors.
      const m = /^(\S+)[ \t]+(.*\S)/.exec(body);
      if (section && m) section.props.push({ key: m[1] ?? '', value: m[2] ?? '', file, line: lineNo });
      continue;
    }
    if (body.startsWith('#')) continue;
    if (indent === undefined) {
      indent = { text: lead, line: lineNo };
    } else if (!lead.startsWith(indent.text)) {
      // Fluent Bit fixes the indentation with the first indented line and refuses less,
      // or tabs where it had spaces. Deeper indentation is accepted (see README).
      ctx.issues.add(
        file,
        lineNo,
        `inconsistent indentation: expected ${describeIndent(indent.text)} as on line ${indent.line}, found ${describeIndent(lead)}`,
      );
      continue;
    }
    if (skipping) continue;
    if (!section) {
      const key = body.split(/[ \t]/, 1)[0] ?? body;
      ctx.issues.add(
        file,
        lineNo,
        `\`${key}\` is outside any section: a config starts with a section such as [SERVICE] or [INPUT]`,
        key,
      );
      continue;
    }
    if (body.startsWith('@')) {
      ctx.issues.add(
        file,
        lineNo,
        `\`${body.split(/[ \t]/, 1)[0] ?? body}\` must start at the beginning of the line, outside sections`,
      );
      continue;
    }
    if (body.startsWith('[')) {
      ctx.issues.add(file, lineNo, `nested group \`${body.trim()}\` is not supported by Tributary`);
      continue;
    }
    const m = /^(\S+)[ \t]+(.*)$/.exec(body);
    const value = m?.[2]?.trim() ?? '';
    if (!m || value === '') {
      const key = m?.[1] ?? body.trim();
      ctx.issues.add(file, lineNo, `key \`${key}\` has no value: write \`${key} VALUE\``, key);
      section.rejected.add(key.toLowerCase());
      continue;
    }
    section.props.push({ key: m[1] ?? '', value, file, line: lineNo });
  }
}

function describeIndent(s: string): string {
  const tabs = [...s].filter((c) => c === '\t').length;
  const spaces = s.length - tabs;
  const parts: string[] = [];
  if (spaces) parts.push(`${spaces} space${spaces === 1 ? '' : 's'}`);
  if (tabs) parts.push(`${tabs} tab${tabs === 1 ? '' : 's'}`);
  return parts.join(' and ') || 'no indentation';
}

function command(line: string, file: string, lineNo: number, ctx: ReadContext): void {
  const m = /^@(\S+)(?:[ \t]+(.*))?$/.exec(line);
  const name = (m?.[1] ?? '').toUpperCase();
  const arg = (m?.[2] ?? '').trim();
  if (name === 'INCLUDE') {
    if (arg === '') {
      ctx.issues.add(file, lineNo, '@INCLUDE needs a file name: `@INCLUDE inputs.conf`');
      return;
    }
    include(arg, file, lineNo, ctx);
    return;
  }
  if (name === 'SET') {
    const eq = arg.indexOf('=');
    const key = eq === -1 ? '' : arg.slice(0, eq).trim();
    if (eq === -1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      ctx.issues.add(
        file,
        lineNo,
        `@SET expects \`@SET NAME=VALUE\` with NAME of letters, digits and \`_\`, got \`${line.trim()}\``,
      );
      return;
    }
    // Like Fluent Bit, @SET variables apply to the whole config whatever their position.
    ctx.raw.variables.set(key, { value: arg.slice(eq + 1).trim(), file, line: lineNo });
    return;
  }
  ctx.issues.add(file, lineNo, `unknown command \`@${m?.[1] ?? ''}\`: the commands are @INCLUDE and @SET`);
}

function include(path: string, file: string, lineNo: number, ctx: ReadContext): void {
  const from = { file, line: lineNo };
  for (const t of resolveInclude(path, from, ctx, '@INCLUDE')) readClassicFile(t, ctx, from);
}
