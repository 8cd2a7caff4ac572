import { dirname, extname, isAbsolute, resolve } from 'node:path';
import type { Env } from '../../common/config/index.ts';
import { readClassicFile } from './classic.ts';
import { AgentConfigError, Issues } from './errors.ts';
import { newContext } from './include.ts';
import { emptyRaw } from './raw.ts';
import type { RawConfig } from './raw.ts';
import type { AgentConfig, AgentConfigIssue } from './types.ts';
import { expandVariables, validate } from './validate.ts';
import { readYamlFile } from './yaml.ts';

export interface LoadAgentConfigOptions {
  /** Variables for `${VAR}` after `@SET` / `env:`; `process.env` when absent. */
  readonly env?: Env;
}

/** `.yaml` / `.yml` is Fluent Bit's YAML format; anything else its classic format, as Fluent Bit decides. */
export function formatOf(path: string): 'classic' | 'yaml' {
  const ext = extname(path).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? 'yaml' : 'classic';
}

function readInto(path: string, raw: RawConfig, mainFile: string, issues: Issues): void {
  const ctx = newContext(mainFile, issues, raw);
  if (formatOf(path) === 'yaml') readYamlFile(path, ctx);
  else readClassicFile(path, ctx);
}

/**
 * Reads, checks and types an agent config. Throws `AgentConfigError` listing every
 * problem found (file, line, key, why); returns the model otherwise. Things Fluent Bit
 * accepts but that are probably mistakes are in `warnings`.
 */
export function loadAgentConfig(path: string, options: LoadAgentConfigOptions = {}): AgentConfig {
  const r = checkAgentConfig(path, options);
  if (r.config === undefined) throw new AgentConfigError(r.issues);
  return r.config;
}

export type CheckResult =
  | {
      readonly config: AgentConfig;
      readonly issues: readonly [];
      readonly warnings: readonly AgentConfigIssue[];
    }
  | {
      readonly config: undefined;
      readonly issues: readonly AgentConfigIssue[];
      readonly warnings: readonly AgentConfigIssue[];
    };

/** The same as `loadAgentConfig` without throwing: what `--dry-run` prints. */
export function checkAgentConfig(path: string, options: LoadAgentConfigOptions = {}): CheckResult {
  const env = options.env ?? process.env;
  const issues = new Issues();
  const raw = emptyRaw();
  readInto(path, raw, path, issues);
  expandVariables(raw, env, issues);

  // Parsers_File, relative to the main config's directory as in Fluent Bit. Its sections
  // may only be parsers; its own @SET/env and includes work as in any config file.
  const parsersFiles = raw.sections
    .filter((s) => s.kind === 'service')
    .flatMap((s) => s.props)
    .filter((p) => p.key.toLowerCase() === 'parsers_file');
  for (const p of parsersFiles) {
    for (const name of typeof p.value === 'string' ? [p.value] : p.value) {
      const file = isAbsolute(name) ? name : resolve(dirname(path), name);
      const sub = emptyRaw();
      const before = issues.size;
      readInto(file, sub, file, issues);
      if (sub.files.length === 0 && issues.size > before) {
        // Point at the Parsers_File line rather than only at the missing file.
        const last = issues.list.pop();
        if (last) issues.add(p.file, p.line, `Parsers_File ${name}: ${last.message}`, p.key);
      }
      expandVariables(sub, env, issues);
      for (const s of sub.sections) {
        if (s.kind === 'parser' || s.kind === 'multiline_parser') raw.sections.push(s);
        else
          issues.add(
            s.file,
            s.line,
            `a Parsers_File may only hold [PARSER] and [MULTILINE_PARSER] sections, not [${s.kind.toUpperCase()}]`,
          );
      }
      raw.files.push(...sub.files);
    }
  }

  const v = validate(raw, path, issues);
  if (issues.size > 0)
    return { config: undefined, issues: new AgentConfigError(issues.list).issues, warnings: v.warnings };
  const config: AgentConfig = {
    file: path,
    format: formatOf(path),
    service: v.service,
    inputs: v.inputs,
    filters: v.filters,
    outputs: v.outputs,
    parsers: v.parsers,
    multilineParsers: v.multilineParsers,
    files: raw.files,
    warnings: v.warnings,
  };
  return { config, issues: [], warnings: v.warnings };
}
