import { expandEnv } from '../../common/config/index.ts';
import type { Env } from '../../common/config/index.ts';
import type { Issues } from './errors.ts';
import { suggest } from './suggest.ts';
import { compileRoute, splitPlaceholders } from './match.ts';
import { MODIFY_CONDITION_ARGS, MODIFY_RULE_ARITY } from './modify-syntax.ts';
import type { RawConfig, RawProp, RawSection } from './raw.ts';
import type { KeyDef, PluginDef } from './registry.ts';
import {
  BUILTIN_MULTILINE,
  BUILTIN_PARSERS,
  COMMON_KEYS,
  KNOWN_FLUENT_BIT_PLUGINS,
  MULTILINE_PARSER_KEYS,
  PARSER_KEYS,
  PLUGINS,
  SERVICE_KEYS,
  UNSUPPORTED_BUILTIN_MULTILINE,
  findPlugin,
} from './registry.ts';
import type {
  AgentConfigIssue,
  InputInstance,
  MultilineParserDefinition,
  MultilineRule,
  ParserDefinition,
  ParserFormat,
  PluginKind,
  PropertyValue,
  RoutedInstance,
  ServiceConfig,
  TypedValue,
} from './types.ts';
import { compileRegex, parseValue, regexSource, splitQuoted } from './values.ts';

/**
 * Substitutes `${VAR}` in every value: `@SET` / YAML `env` variables first, then the
 * process environment, as Fluent Bit looks them up. An unset variable is an error at the
 * line that uses it (Fluent Bit only warns and substitutes nothing; a silently empty
 * `Host` or `Shared_Key` is worse than refusing to start).
 */
export function expandVariables(raw: RawConfig, env: Env, issues: Issues): void {
  const vars: Record<string, string | undefined> = { ...env };
  for (const [k, v] of raw.variables) vars[k] = v.value;
  for (const section of raw.sections) {
    for (let i = 0; i < section.props.length; i++) {
      const p = section.props[i];
      if (p === undefined) continue;
      const one = (s: string): string => {
        const r = expandEnv(s, vars);
        if (r.ok) return r.value;
        for (const problem of r.problems)
          issues.add(p.file, p.line, `\`${p.key}\`: ${problem.message}`, p.key);
        return s;
      };
      const value = typeof p.value === 'string' ? one(p.value) : p.value.map(one);
      section.props[i] = { ...p, value };
    }
  }
}

interface Checked {
  readonly properties: Map<string, PropertyValue>;
  readonly values: Record<string, TypedValue>;
}

/**
 * Checks a section's keys against a table: unknown and refused keys, repeats of keys that
 * may appear once, values that do not parse, required keys. Every problem is reported.
 */
export function checkKeys(
  section: {
    readonly file: string;
    readonly line: number;
    readonly props: readonly RawProp[];
    readonly rejected?: ReadonlySet<string>;
  },
  table: readonly KeyDef[],
  what: string,
  issues: Issues,
): Checked {
  const byName = new Map<string, KeyDef>();
  for (const d of table) byName.set(d.name.toLowerCase(), d);
  const prefixes = table.filter((d) => d.prefix);
  const properties = new Map<string, PropertyValue>();
  const values: Record<string, TypedValue> = {};
  const occurrences = new Map<string, { value: string; file: string; line: number }[]>();

  for (const p of section.props) {
    const lower = p.key.toLowerCase();
    const def = byName.get(lower) ?? prefixes.find((d) => lower.startsWith(d.name.toLowerCase()));
    if (def === undefined) {
      const hint = suggest(
        p.key,
        table.filter((d) => !d.prefix && !d.unsupported).map((d) => d.name),
      );
      issues.add(
        p.file,
        p.line,
        `unknown key \`${p.key}\` for ${what}${hint ? `, did you mean \`${hint}\`?` : ''}`,
        p.key,
      );
      continue;
    }
    if (def.unsupported !== undefined) {
      issues.add(
        p.file,
        p.line,
        `\`${p.key}\` (${what}) is a Fluent Bit key that Tributary does not support: ${def.unsupported}`,
        p.key,
      );
      continue;
    }
    const repeatable = def.type === 'multi' || def.repeatable === true;
    const items = typeof p.value === 'string' ? [p.value] : p.value;
    if (typeof p.value !== 'string' && !repeatable && def.type !== 'list') {
      issues.add(p.file, p.line, `\`${p.key}\` takes a single value, not a list`, p.key);
      continue;
    }
    const prev = properties.get(lower);
    if (prev !== undefined && !repeatable) {
      issues.add(
        p.file,
        p.line,
        `\`${p.key}\` is given twice (first at ${prev.file}:${prev.line}); only repeatable keys such as \`Rule\` or \`Add\` may be`,
        p.key,
      );
      continue;
    }
    const occ = occurrences.get(lower) ?? [];
    occurrences.set(lower, occ);
    let ok = true;
    const typed: TypedValue[] = [];
    for (const item of items) {
      occ.push({ value: item, file: p.file, line: p.line });
      const r = parseValue(def, item);
      if (!r.ok) {
        issues.add(p.file, p.line, `bad value for \`${p.key}\` (${what}): ${r.message}`, p.key);
        ok = false;
        continue;
      }
      typed.push(r.value);
    }
    const value: string | readonly string[] =
      repeatable || typeof p.value !== 'string' ? occ.map((o) => o.value) : p.value;
    properties.set(lower, {
      key: prev?.key ?? p.key,
      value,
      file: prev?.file ?? p.file,
      line: prev?.line ?? p.line,
      occurrences: occ,
    });
    if (!ok) continue;
    const name = def.prefix ? lower : def.name.toLowerCase();
    if (def.type === 'list' || def.type === 'multi') {
      const before = values[name];
      const acc = Array.isArray(before) ? [...(before as readonly string[])] : [];
      for (const t of typed) {
        if (Array.isArray(t)) acc.push(...(t as readonly string[]));
        else acc.push(String(t));
      }
      values[name] = acc;
    } else if (typed[0] !== undefined) {
      values[name] = typed[0];
    }
  }

  for (const def of table) {
    const name = def.name.toLowerCase();
    if (def.prefix || def.unsupported !== undefined || values[name] !== undefined || properties.has(name))
      continue;
    if (section.rejected?.has(name)) continue;
    if (def.required) {
      issues.add(section.file, section.line, `${what} is missing the required key \`${def.name}\``, def.name);
      continue;
    }
    if (def.default === undefined) continue;
    const r = parseValue(def, def.default);
    if (!r.ok) throw new Error(`bad default ${def.default} for ${def.name}: ${r.message}`);
    values[name] = r.value;
  }
  return { properties, values };
}

export interface Validated {
  readonly service: ServiceConfig;
  readonly inputs: InputInstance[];
  readonly filters: RoutedInstance[];
  readonly outputs: RoutedInstance[];
  readonly parsers: ParserDefinition[];
  readonly multilineParsers: MultilineParserDefinition[];
  readonly warnings: AgentConfigIssue[];
}

/** Turns checked raw sections into the model, with the cross-checks that need it all. */
export function validate(raw: RawConfig, mainFile: string, issues: Issues): Validated {
  const warnings: AgentConfigIssue[] = [];
  const serviceProps = raw.sections.filter((s) => s.kind === 'service').flatMap((s) => s.props);
  const firstService = raw.sections.find((s) => s.kind === 'service');
  const svc = checkKeys(
    { file: firstService?.file ?? mainFile, line: firstService?.line ?? 1, props: serviceProps },
    SERVICE_KEYS,
    '[SERVICE]',
    issues,
  );
  const service: ServiceConfig = { values: svc.values, properties: svc.properties };

  const parsers = buildParsers(
    raw.sections.filter((s) => s.kind === 'parser'),
    issues,
  );
  const multilineParsers = buildMultiline(
    raw.sections.filter((s) => s.kind === 'multiline_parser'),
    issues,
  );
  const parserNames = new Set(parsers.map((p) => p.name));
  const mlNames = new Set(multilineParsers.map((p) => p.name));
  const refParser = (v: PropertyValue | undefined, name: TypedValue | undefined): void => {
    if (v === undefined || typeof name !== 'string' || parserNames.has(name)) return;
    const hint = suggest(name, parserNames);
    issues.add(
      v.file,
      v.line,
      `\`${v.key}\`: no parser named \`${name}\`${hint ? `, did you mean \`${hint}\`?` : ''} (define it in a [PARSER] section or a Parsers_File)`,
      v.key,
    );
  };
  for (const ml of multilineParsers) {
    if (ml.parser !== undefined && !parserNames.has(ml.parser)) {
      issues.add(
        ml.file,
        ml.line,
        `multiline parser \`${ml.name}\`: no parser named \`${ml.parser}\``,
        'parser',
      );
    }
  }

  const counters: Record<PluginKind, number> = { input: 0, filter: 0, output: 0 };
  const inputs: InputInstance[] = [];
  const filters: RoutedInstance[] = [];
  const outputs: RoutedInstance[] = [];
  const aliases = new Map<string, { file: string; line: number }>();

  for (const section of raw.sections) {
    if (section.kind !== 'input' && section.kind !== 'filter' && section.kind !== 'output') continue;
    const kind = section.kind;
    const index = counters[kind]++;
    const nameProps = section.props.filter((p) => p.key.toLowerCase() === 'name');
    const nameProp = nameProps[0];
    if (nameProp === undefined || typeof nameProp.value !== 'string') {
      if (section.rejected.has('name')) continue;
      issues.add(
        section.file,
        section.line,
        `[${kind.toUpperCase()}] has no \`Name\`: say which plugin, e.g. \`Name ${PLUGINS.find((p) => p.kind === kind)?.name ?? ''}\``,
        'Name',
      );
      continue;
    }
    const plugin = findPlugin(kind, nameProp.value);
    if (plugin === undefined) {
      unknownPlugin(kind, nameProp, issues);
      continue;
    }
    const what = `${kind} plugin \`${plugin.name}\``;
    const { properties, values } = checkKeys(section, [...COMMON_KEYS[kind], ...plugin.keys], what, issues);
    const alias = typeof values.alias === 'string' ? values.alias : undefined;
    const instanceName = alias ?? `${plugin.name}.${index}`;
    if (alias !== undefined) {
      const before = aliases.get(`${kind}:${alias}`);
      const at = properties.get('alias');
      if (before && at)
        issues.add(
          at.file,
          at.line,
          `alias \`${alias}\` is already used by another ${kind} at ${before.file}:${before.line}`,
          at.key,
        );
      else aliases.set(`${kind}:${alias}`, { file: section.file, line: section.line });
    }
    checkPlugin(plugin, properties, values, service, refParser, mlNames, issues);
    const base = {
      name: plugin.name,
      instanceName,
      properties,
      values,
      file: section.file,
      line: section.line,
    };
    if (kind === 'input') {
      const tag = typeof values.tag === 'string' ? values.tag : instanceName;
      inputs.push({ ...base, kind, tag, tagGiven: typeof values.tag === 'string' });
      continue;
    }
    const match = typeof values.match === 'string' ? values.match : undefined;
    const matchRegex = typeof values.match_regex === 'string' ? values.match_regex : undefined;
    let route;
    try {
      route = compileRoute(match, matchRegex);
    } catch (err) {
      const at = properties.get('match_regex');
      issues.add(
        at?.file ?? section.file,
        at?.line ?? section.line,
        `bad value for \`Match_Regex\`: ${(err as Error).message}`,
        'Match_Regex',
      );
    }
    const inst: RoutedInstance = { ...base, kind, match: route };
    (kind === 'filter' ? filters : outputs).push(inst);
  }

  // Fluent Bit's one-input, one-output shortcut: an output without Match gets everything.
  const only = outputs[0];
  if (inputs.length === 1 && outputs.length === 1 && only && only.match === undefined) {
    outputs[0] = { ...only, match: () => true };
  }
  for (const r of [...filters, ...outputs]) {
    if (r.match === undefined && !r.properties.has('match_regex')) {
      warnings.push({
        file: r.file,
        line: r.line,
        key: 'Match',
        message: `${r.kind} \`${r.instanceName}\` has no \`Match\` or \`Match_Regex\`: no records will reach it`,
      });
    }
  }
  // Fluent Bit starts without inputs or outputs (documentation snippets often have one
  // side only); so do we, with a warning, since an agent like that moves nothing.
  if (inputs.length === 0)
    warnings.push({ file: mainFile, message: 'no [INPUT] section: the agent will collect nothing' });
  if (outputs.length === 0)
    warnings.push({ file: mainFile, message: 'no [OUTPUT] section: records will be collected and dropped' });
  return { service, inputs, filters, outputs, parsers, multilineParsers, warnings };
}

function unknownPlugin(kind: PluginKind, nameProp: RawProp, issues: Issues): void {
  const name = String(nameProp.value);
  const supported = PLUGINS.filter((p) => p.kind === kind).map((p) => p.name);
  const known = KNOWN_FLUENT_BIT_PLUGINS[kind];
  if (known.includes(name.toLowerCase())) {
    issues.add(
      nameProp.file,
      nameProp.line,
      `${kind} plugin \`${name}\` is a Fluent Bit plugin that Tributary does not implement (${kind}s: ${supported.join(', ')})`,
      nameProp.key,
    );
    return;
  }
  const hint = suggest(name, supported);
  issues.add(
    nameProp.file,
    nameProp.line,
    `unknown ${kind} plugin \`${name}\`${hint ? `, did you mean \`${hint}\`?` : ''} (${kind}s: ${supported.join(', ')})`,
    nameProp.key,
  );
}

/** Checks inside values that their key's type cannot express (rule syntax, regexes, references). */
function checkPlugin(
  plugin: PluginDef,
  properties: ReadonlyMap<string, PropertyValue>,
  values: Readonly<Record<string, TypedValue>>,
  service: ServiceConfig,
  refParser: (v: PropertyValue | undefined, name: TypedValue | undefined) => void,
  mlNames: ReadonlySet<string>,
  issues: Issues,
): void {
  const each = (
    key: string,
    f: (value: string, file: string, line: number, keyText: string) => void,
  ): void => {
    const p = properties.get(key);
    if (p) for (const o of p.occurrences) f(o.value, o.file, o.line, p.key);
  };
  const regexAt = (source: string, file: string, line: number, key: string): void => {
    const r = compileRegex(source);
    if (!r.ok) issues.add(file, line, `\`${key}\`: ${r.message}`, key);
  };

  if (values['storage.type'] === 'filesystem' && typeof service.values['storage.path'] !== 'string') {
    const p = properties.get('storage.type');
    if (p) issues.add(p.file, p.line, '`storage.type filesystem` needs `storage.path` in [SERVICE]', p.key);
  }

  switch (`${plugin.kind}:${plugin.name}`) {
    case 'input:tail': {
      checkTailBuffers(properties, values, issues);
      const tagRegex = properties.get('tag_regex');
      if (tagRegex && typeof values.tag_regex === 'string') {
        regexAt(values.tag_regex, tagRegex.file, tagRegex.line, tagRegex.key);
        const tag = properties.get('tag');
        if (tag && typeof values.tag === 'string') {
          const parts = splitPlaceholders(values.tag);
          if (!parts.ok) issues.add(tag.file, tag.line, `\`${tag.key}\`: ${parts.message}`, tag.key);
        }
      }
      refParser(properties.get('parser'), values.parser);
      each('multiline.parser', (v, f, l, k) => {
        for (const name of v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)) {
          if (mlNames.has(name)) continue;
          if ((UNSUPPORTED_BUILTIN_MULTILINE as readonly string[]).includes(name)) {
            issues.add(
              f,
              l,
              `\`${k}\`: the built-in multiline parser \`${name}\` is not implemented (built-ins: ${BUILTIN_MULTILINE.join(', ')}); define a [MULTILINE_PARSER]`,
              k,
            );
          } else {
            const hint = suggest(name, mlNames);
            issues.add(
              f,
              l,
              `\`${k}\`: no multiline parser named \`${name}\`${hint ? `, did you mean \`${hint}\`?` : ''}`,
              k,
            );
          }
        }
      });
      break;
    }
    case 'input:forward':
      each('security.users', (v, f, l, k) => {
        if (v.trim().split(/\s+/).length !== 2)
          issues.add(f, l, `\`${k}\` expects \`USER PASSWORD\`, got \`${v}\``, k);
      });
      break;
    case 'filter:kubernetes':
      refParser(properties.get('regex_parser'), values.regex_parser);
      refParser(properties.get('merge_parser'), values.merge_parser);
      break;
    case 'filter:modify':
      for (const [key, n] of Object.entries(MODIFY_RULE_ARITY)) {
        each(key, (v, f, l, k) => {
          const w = splitQuoted(v);
          if (!w.ok) issues.add(f, l, `\`${k}\`: ${w.message}`, k);
          else if (w.words.length < n) {
            issues.add(f, l, `\`${k}\` expects ${n === 1 ? 'KEY' : 'KEY VALUE'}, got \`${v}\``, k);
          } else if (key === 'remove_regex') regexAt(w.words[0] ?? '', f, l, k);
        });
      }
      each('condition', (v, f, l, k) => {
        const w = splitQuoted(v);
        if (!w.ok) {
          issues.add(f, l, `\`${k}\`: ${w.message}`, k);
          return;
        }
        const [cond = '', ...args] = w.words;
        const lower = cond.toLowerCase();
        if (!Object.hasOwn(MODIFY_CONDITION_ARGS, lower)) {
          const hint = suggest(cond, Object.keys(MODIFY_CONDITION_ARGS));
          issues.add(
            f,
            l,
            `\`${k}\`: unknown condition \`${cond}\`${hint ? `, did you mean \`${hint}\`?` : ''}`,
            k,
          );
          return;
        }
        const n = MODIFY_CONDITION_ARGS[lower as keyof typeof MODIFY_CONDITION_ARGS].length;
        if (args.length < n)
          issues.add(
            f,
            l,
            `\`${k}\`: \`${cond}\` expects ${n} argument${n === 1 ? '' : 's'}, got ${args.length}`,
            k,
          );
      });
      break;
    case 'filter:grep':
      for (const key of ['regex', 'exclude']) {
        each(key, (v, f, l, k) => {
          const sp = /^(\S+)\s+(.+)$/.exec(v.trim());
          if (!sp) issues.add(f, l, `\`${k}\` expects \`KEY REGEX\`, got \`${v}\``, k);
          else regexAt(regexSource(sp[2] ?? ''), f, l, k);
        });
      }
      break;
    case 'filter:rewrite_tag':
      each('rule', (v, f, l, k) => {
        const w = splitQuoted(v);
        if (!w.ok) {
          issues.add(f, l, `\`${k}\`: ${w.message}`, k);
          return;
        }
        if (w.words.length !== 4) {
          issues.add(
            f,
            l,
            `\`${k}\` expects \`$KEY REGEX NEW_TAG KEEP\` (4 parts), got ${w.words.length}: \`${v}\``,
            k,
          );
          return;
        }
        const [key = '', re = '', , keep = ''] = w.words;
        if (!key.startsWith('$'))
          issues.add(f, l, `\`${k}\`: the key must start with \`$\` (record accessor), got \`${key}\``, k);
        regexAt(regexSource(re), f, l, k);
        if (!/^(true|false|on|off|yes|no)$/i.test(keep))
          issues.add(f, l, `\`${k}\`: KEEP must be true or false, got \`${keep}\``, k);
      });
      break;
    default:
      break;
  }
}

/** tail: keys checked against each other, and limits their types cannot express. */
function checkTailBuffers(
  properties: ReadonlyMap<string, PropertyValue>,
  values: Readonly<Record<string, TypedValue>>,
  issues: Issues,
): void {
  const chunk = values.buffer_chunk_size;
  const chunkAt = properties.get('buffer_chunk_size');
  if (chunkAt && chunk === 0)
    issues.add(chunkAt.file, chunkAt.line, `\`${chunkAt.key}\` must be at least 1 byte`, chunkAt.key);
  // Only a given Buffer_Max_Size: the default follows a raised Buffer_Chunk_Size.
  const max = values.buffer_max_size;
  const maxAt = properties.get('buffer_max_size');
  if (maxAt && typeof max === 'number' && typeof chunk === 'number' && max < chunk) {
    const from = chunkAt
      ? `\`${chunkAt.key}\` (${chunk} bytes)`
      : `the default \`Buffer_Chunk_Size\` (${chunk} bytes)`;
    issues.add(
      maxAt.file,
      maxAt.line,
      `\`${maxAt.key}\` (${max} bytes) must be at least ${from}: it is the longest line kept whole`,
      maxAt.key,
    );
  }
  const refresh = properties.get('refresh_interval');
  if (refresh && typeof values.refresh_interval === 'number' && values.refresh_interval <= 0)
    issues.add(
      refresh.file,
      refresh.line,
      `\`${refresh.key}\` must be more than 0 seconds (how often \`Path\` is rescanned)`,
      refresh.key,
    );
}

function buildParsers(sections: readonly RawSection[], issues: Issues): ParserDefinition[] {
  const out = new Map<string, ParserDefinition>();
  for (const section of sections) {
    const name = section.props.find((p) => p.key.toLowerCase() === 'name');
    const what = `parser${name && typeof name.value === 'string' ? ` \`${name.value}\`` : ''}`;
    const format = section.props.find((p) => p.key.toLowerCase() === 'format');
    if (format && typeof format.value === 'string' && format.value.trim().toLowerCase() === 'ltsv') {
      issues.add(
        format.file,
        format.line,
        `${what}: \`Format ltsv\` is not implemented (formats: json, regex, logfmt)`,
        format.key,
      );
      continue;
    }
    const { properties, values } = checkKeys(section, PARSER_KEYS, what, issues);
    const def = parserFrom(values, properties, section, false, issues);
    if (!def) continue;
    const before = out.get(def.name);
    if (before) {
      issues.add(
        section.file,
        section.line,
        `parser \`${def.name}\` is defined twice (also at ${before.file}:${before.line})`,
        'Name',
      );
      continue;
    }
    out.set(def.name, def);
  }
  // Built-ins, unless the config defines its own of the same name (Fluent Bit's parsers.conf
  // defines docker and cri, and people copy it; theirs wins).
  for (const b of BUILTIN_PARSERS) {
    if (out.has(b.name)) continue;
    const props = b.props.map(([key, value]) => ({
      key,
      value,
      file: '<built-in>',
      line: 0,
    }));
    const section = {
      kind: 'parser' as const,
      file: '<built-in>',
      line: 0,
      rejected: new Set<string>(),
      props: [{ key: 'Name', value: b.name, file: '<built-in>', line: 0 }, ...props],
    };
    const { properties, values } = checkKeys(section, PARSER_KEYS, `built-in parser ${b.name}`, issues);
    const def = parserFrom(values, properties, section, true, issues);
    if (def) out.set(def.name, def);
  }
  return [...out.values()];
}

function parserFrom(
  values: Readonly<Record<string, TypedValue>>,
  properties: ReadonlyMap<string, PropertyValue>,
  section: RawSection,
  builtin: boolean,
  issues: Issues,
): ParserDefinition | undefined {
  if (typeof values.name !== 'string' || typeof values.format !== 'string') return undefined;
  const name = values.name;
  const format = values.format.toLowerCase() as ParserFormat;
  let regex: string | undefined;
  const regexProp = properties.get('regex');
  if (format === 'regex') {
    if (typeof values.regex !== 'string' || !regexProp) {
      issues.add(
        section.file,
        section.line,
        `parser \`${name}\`: \`Format regex\` needs a \`Regex\``,
        'Regex',
      );
      return undefined;
    }
    regex = regexSource(values.regex);
    const r = compileRegex(regex);
    if (!r.ok) {
      issues.add(regexProp.file, regexProp.line, `parser \`${name}\`: ${r.message}`, regexProp.key);
      return undefined;
    }
  } else if (regexProp) {
    issues.add(
      regexProp.file,
      regexProp.line,
      `parser \`${name}\`: \`Regex\` applies only to \`Format regex\``,
      regexProp.key,
    );
  }
  let timeOffset: number | undefined;
  const off = properties.get('time_offset');
  if (off && typeof values.time_offset === 'string') {
    const m = /^([+-])([0-9]{2}):?([0-9]{2})$/.exec(values.time_offset.trim());
    if (!m)
      issues.add(
        off.file,
        off.line,
        `parser \`${name}\`: \`${off.key}\` expects +HHMM or -HH:MM, got \`${values.time_offset}\``,
        off.key,
      );
    else timeOffset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
  }
  const types: Record<string, string> = {};
  const typesProp = properties.get('types');
  if (typesProp && typeof values.types === 'string') {
    for (const word of values.types.trim().split(/\s+/)) {
      const m = /^([^:]+):(integer|bool|float|hex|string)$/i.exec(word);
      if (!m)
        issues.add(
          typesProp.file,
          typesProp.line,
          `parser \`${name}\`: \`${typesProp.key}\` expects KEY:TYPE with TYPE integer, bool, float, hex or string, got \`${word}\``,
          typesProp.key,
        );
      else types[m[1] ?? ''] = (m[2] ?? '').toLowerCase();
    }
  }
  for (const key of ['decode_field', 'decode_field_as']) {
    const p = properties.get(key);
    for (const o of p?.occurrences ?? []) {
      if (o.value.trim().split(/\s+/).length < 2)
        issues.add(
          o.file,
          o.line,
          `parser \`${name}\`: \`${p?.key ?? key}\` expects \`DECODER KEY\``,
          p?.key,
        );
    }
  }
  return {
    name,
    format,
    regex,
    timeKey: typeof values.time_key === 'string' ? values.time_key : undefined,
    timeFormat: typeof values.time_format === 'string' ? values.time_format : undefined,
    timeKeep: values.time_keep === true,
    timeOffset,
    types,
    values,
    builtin,
    file: section.file,
    line: section.line,
  };
}

function buildMultiline(sections: readonly RawSection[], issues: Issues): MultilineParserDefinition[] {
  const out = new Map<string, MultilineParserDefinition>();
  for (const section of sections) {
    const nameProp = section.props.find((p) => p.key.toLowerCase() === 'name');
    const what = `multiline parser${nameProp && typeof nameProp.value === 'string' ? ` \`${nameProp.value}\`` : ''}`;
    const type = section.props.find((p) => p.key.toLowerCase() === 'type');
    if (
      type &&
      typeof type.value === 'string' &&
      ['endswith', 'equal'].includes(type.value.trim().toLowerCase())
    ) {
      issues.add(
        type.file,
        type.line,
        `${what}: \`type ${type.value}\` is not implemented (only \`regex\`)`,
        type.key,
      );
      continue;
    }
    const { properties, values } = checkKeys(section, MULTILINE_PARSER_KEYS, what, issues);
    if (typeof values.name !== 'string') continue;
    const name = values.name;
    if ((BUILTIN_MULTILINE as readonly string[]).includes(name)) {
      issues.add(
        section.file,
        section.line,
        `multiline parser \`${name}\` is built in; choose another name`,
        'name',
      );
      continue;
    }
    const rules: MultilineRule[] = [];
    for (const o of properties.get('rule')?.occurrences ?? []) {
      const w = splitQuoted(o.value);
      if (!w.ok || w.words.length !== 3) {
        issues.add(
          o.file,
          o.line,
          `${what}: a rule is \`"STATE" "/REGEX/" "NEXT_STATE"\`, got \`${o.value}\``,
          'rule',
        );
        continue;
      }
      const [states = '', re = '', next = ''] = w.words;
      const regex = regexSource(re);
      const r = compileRegex(regex);
      if (!r.ok) {
        issues.add(o.file, o.line, `${what}: ${r.message}`, 'rule');
        continue;
      }
      rules.push({
        states: states
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        regex,
        nextState: next,
        file: o.file,
        line: o.line,
      });
    }
    if (properties.has('rule') && rules.length > 0 && !rules.some((r) => r.states.includes('start_state'))) {
      issues.add(
        section.file,
        section.line,
        `${what}: no rule for \`start_state\`, where every record begins`,
        'rule',
      );
    }
    const known = new Set(rules.flatMap((r) => r.states));
    for (const r of rules) {
      if (!known.has(r.nextState))
        issues.add(r.file, r.line, `${what}: next state \`${r.nextState}\` has no rule`, 'rule');
    }
    const before = out.get(name);
    if (before) {
      issues.add(
        section.file,
        section.line,
        `multiline parser \`${name}\` is defined twice (also at ${before.file}:${before.line})`,
        'name',
      );
      continue;
    }
    out.set(name, {
      name,
      type: 'regex',
      rules,
      flushTimeoutMs: typeof values.flush_timeout === 'number' ? values.flush_timeout : 4000,
      parser: typeof values.parser === 'string' ? values.parser : undefined,
      keyContent: typeof values.key_content === 'string' ? values.key_content : undefined,
      values,
      builtin: false,
      file: section.file,
      line: section.line,
    });
  }
  const list = [...out.values()];
  for (const name of BUILTIN_MULTILINE) {
    list.push({
      name,
      type: 'regex',
      rules: [],
      flushTimeoutMs: 4000,
      parser: undefined,
      keyContent: undefined,
      values: {},
      builtin: true,
      file: '<built-in>',
      line: 0,
    });
  }
  return list;
}
