// The bridge from the loaded config (agent/config: `[PARSER]` / `[MULTILINE_PARSER]` sections,
// typed, keys lower-cased) to working parsers. Both definition shapes use Fluent Bit's key names,
// so a section's values pass through as they are.
import type { AgentConfig } from '../config/types.ts';
import { getBuiltinParser } from './builtin.ts';
import { createMultilineParser } from './multiline.ts';
import type { MultilineDefinition, MultilineFactory } from './multiline.ts';
import { createParser } from './parser.ts';
import type { Parser } from './types.ts';

/**
 * The parser called `name` as plain data (a worker thread can build it too): a user definition's
 * keys, or the name of one of Fluent Bit's parsers.conf parsers.
 */
export function parserSpecFromConfig(
  config: AgentConfig,
  name: string,
): Readonly<Record<string, unknown>> | string {
  const def = config.parsers.find((p) => p.name === name && !p.builtin);
  if (def !== undefined) return { ...def.values, name: def.name };
  if (getBuiltinParser(name) === undefined) throw new Error(`parser '${name}' is not defined`);
  return name;
}

/** The parser called `name`: a user definition first, then Fluent Bit's parsers.conf ones. */
export function parserFromConfig(config: AgentConfig, name: string): Parser {
  const spec = parserSpecFromConfig(config, name);
  return typeof spec === 'string' ? (getBuiltinParser(spec) as Parser) : createParser(spec);
}

/** A multiline factory for `multiline.parser a, b`: user [MULTILINE_PARSER]s or the built-ins. */
export function multilineFromConfig(config: AgentConfig, names: readonly string[]): MultilineFactory {
  const defs = names.map((name): MultilineDefinition | string => {
    const def = config.multilineParsers.find((p) => p.name === name && !p.builtin);
    return def === undefined ? name : ({ ...def.values, name: def.name } as MultilineDefinition);
  });
  return createMultilineParser(defs, { resolveParser: (name) => parserFromConfig(config, name) });
}
