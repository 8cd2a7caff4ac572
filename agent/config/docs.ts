/**
 * Renders the key tables as Markdown for the README, so the documentation is exactly what
 * the loader accepts. `docs.test.ts` fails when the README is stale; regenerate with
 * `node agent/config/docs.ts --write`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KeyDef } from './registry.ts';
import { COMMON_KEYS, MULTILINE_PARSER_KEYS, PARSER_KEYS, PLUGINS, SERVICE_KEYS } from './registry.ts';

export const BEGIN_MARK = '<!-- BEGIN GENERATED KEY TABLES: node agent/config/docs.ts --write -->';
export const END_MARK = '<!-- END GENERATED KEY TABLES -->';

function cell(s: string): string {
  return s.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function code(s: string): string {
  // A default made only of whitespace (the tcp separator) would vanish in Markdown.
  return '`' + s.replaceAll('`', "'") + '`';
}

/** One Markdown table: Key | Type | Default | Description. */
export function keyTable(keys: readonly KeyDef[]): string {
  const rows = ['| Key | Type | Default | Description |', '| --- | --- | --- | --- |'];
  for (const k of keys) {
    const name = k.prefix ? `${k.name}N` : k.name;
    const type = k.typeLabel ?? k.type;
    const def = k.default === undefined ? (k.required ? '*required*' : '') : code(k.default);
    let desc = k.description;
    if (k.values) desc += ` One of ${k.values.map(code).join(', ')}.`;
    if (k.unsupported) desc = `**Not supported** (error): ${k.unsupported}.`;
    else if (k.differs) desc += ` **Tributary:** ${k.differs}`;
    rows.push(`| \`${name}\` | ${type.includes('\\|') ? type : cell(type)} | ${cell(def)} | ${cell(desc)} |`);
  }
  return rows.join('\n');
}

export function renderKeyTables(): string {
  const out: string[] = [];
  out.push('### `[SERVICE]` / `service`', '', keyTable(SERVICE_KEYS), '');
  for (const kind of ['input', 'filter', 'output'] as const) {
    const title = kind === 'input' ? 'Inputs' : kind === 'filter' ? 'Filters' : 'Outputs';
    out.push(`### ${title}`, '');
    out.push(`Keys every ${kind} accepts:`, '', keyTable(COMMON_KEYS[kind]), '');
    for (const p of PLUGINS.filter((x) => x.kind === kind)) {
      out.push(`#### ${kind} \`${p.name}\``, '', p.description, '', keyTable(p.keys), '');
    }
  }
  out.push('### `[PARSER]` / `parsers`', '', keyTable(PARSER_KEYS), '');
  out.push('### `[MULTILINE_PARSER]` / `multiline_parsers`', '', keyTable(MULTILINE_PARSER_KEYS), '');
  return out.join('\n');
}

/** The README with its generated part replaced. */
export function updateReadme(readme: string): string {
  const a = readme.indexOf(BEGIN_MARK);
  const b = readme.indexOf(END_MARK);
  if (a === -1 || b === -1 || b < a) throw new Error('README lacks the generated-section markers');
  return `${readme.slice(0, a + BEGIN_MARK.length)}\n\n${renderKeyTables()}\n${readme.slice(b)}`;
}

export const README_PATH = fileURLToPath(new URL('./README.md', import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  writeFileSync(README_PATH, updateReadme(readFileSync(README_PATH, 'utf8')));
}
