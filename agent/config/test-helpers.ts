import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkAgentConfig } from './load.ts';
import type { AgentConfig, AgentConfigIssue } from './types.ts';

/** Writes `files` (relative path → content) into a fresh temporary directory. */
export function tmpConfig(files: Readonly<Record<string, string | Uint8Array>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'agent-config-'));
  for (const [name, text] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return dir;
}

/** Loads `main` from a temp dir holding `files`; returns issues as `basename:line: message`. */
export function issuesOf(
  files: Readonly<Record<string, string | Uint8Array>>,
  main: string,
  env: Record<string, string> = {},
): string[] {
  const dir = tmpConfig(files);
  const r = checkAgentConfig(join(dir, main), { env });
  return r.issues.map((i) => fmt(dir, i));
}

export function loadOk(
  files: Readonly<Record<string, string | Uint8Array>>,
  main: string,
  env: Record<string, string> = {},
): AgentConfig {
  const dir = tmpConfig(files);
  const r = checkAgentConfig(join(dir, main), { env });
  if (r.config === undefined) throw new Error(r.issues.map((i) => fmt(dir, i)).join('\n'));
  return r.config;
}

function fmt(dir: string, i: AgentConfigIssue): string {
  const file = i.file.startsWith(dir) ? i.file.slice(dir.length + 1) : i.file;
  return `${file}${i.line === undefined ? '' : `:${i.line}`}: ${i.message}`;
}

/** The parts of a config that must not depend on the format it was written in. */
export function projection(c: AgentConfig): unknown {
  const plugin = (p: { name: string; instanceName: string; values: object }): unknown => ({
    name: p.name,
    instanceName: p.instanceName,
    values: p.values,
  });
  // Parsers_File names the parsers file of the same format, and rules are compared parsed.
  const { parsers_file: _pf, ...service } = c.service.values;
  return {
    service,
    inputs: c.inputs.map((i) => ({ ...(plugin(i) as object), tag: i.tag })),
    filters: c.filters.map(plugin),
    outputs: c.outputs.map(plugin),
    parsers: c.parsers.map(({ file: _f, line: _l, ...rest }) => rest),
    multilineParsers: c.multilineParsers.map(({ file: _f, line: _l, values: _v, rules, ...rest }) => ({
      ...rest,
      rules: rules.map(({ file: _rf, line: _rl, ...r }) => r),
    })),
  };
}
