import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node as YamlNode, Pair, YAMLMap } from 'yaml';
import { suggest } from './suggest.ts';
import type { From, ReadContext } from './include.ts';
import { resolveInclude, withFile } from './include.ts';
import type { RawProp, SectionKind } from './raw.ts';

const TOP_KEYS = ['env', 'includes', 'service', 'pipeline', 'parsers', 'multiline_parsers'] as const;
const UNSUPPORTED_TOP = new Set(['customs', 'plugins', 'upstream_servers', 'stream_processor']);
const PIPELINE_KEYS: Readonly<Record<string, SectionKind>> = {
  inputs: 'input',
  filters: 'filter',
  outputs: 'output',
};

/** Reads a Fluent Bit YAML config file (and its `includes`) into `ctx.raw`. */
export function readYamlFile(path: string, ctx: ReadContext, from?: From): void {
  withFile(path, ctx, from, (text, file) => parseYamlText(text, file, ctx));
}

export function parseYamlText(text: string, file: string, ctx: ReadContext): void {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, strict: true });
  const lineOf = (node: YamlNode | null | undefined): number =>
    node?.range ? lc.linePos(node.range[0]).line : 1;
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      ctx.issues.add(
        file,
        lc.linePos(e.pos[0]).line,
        `YAML syntax error: ${e.message.split('\n')[0] ?? e.code}`,
      );
    }
    return;
  }
  const top = doc.contents;
  if (top === null || (isScalar(top) && (top.value === null || top.value === ''))) {
    ctx.issues.add(file, 1, 'config is empty: expected a map with `service`, `pipeline`, ...');
    return;
  }
  if (!isMap(top)) {
    ctx.issues.add(file, lineOf(top), 'the top level must be a map with `service`, `pipeline`, ...');
    return;
  }
  for (const pair of top.items) {
    const key = keyText(pair);
    const kline = lineOf(pair.key as YamlNode);
    const value = pair.value as YamlNode | null;
    switch (key) {
      case 'env':
        env(value, file, kline, ctx, lineOf);
        break;
      case 'includes':
        includes(value, file, kline, ctx, lineOf);
        break;
      case 'service':
        if (!isMap(value)) {
          ctx.issues.add(file, kline, '`service` must be a map of settings');
          break;
        }
        {
          const rejected = new Set<string>();
          ctx.raw.sections.push({
            kind: 'service',
            file,
            line: kline,
            props: props(value, file, ctx, lineOf, rejected),
            rejected,
          });
        }
        break;
      case 'pipeline':
        pipeline(value, file, kline, ctx, lineOf);
        break;
      case 'parsers':
        list(value, 'parser', '`parsers`', file, kline, ctx, lineOf);
        break;
      case 'multiline_parsers':
        list(value, 'multiline_parser', '`multiline_parsers`', file, kline, ctx, lineOf);
        break;
      default:
        if (UNSUPPORTED_TOP.has(key)) {
          ctx.issues.add(
            file,
            kline,
            `\`${key}\` is a Fluent Bit section that Tributary does not support`,
            key,
          );
        } else {
          const hint = suggest(key, TOP_KEYS);
          ctx.issues.add(
            file,
            kline,
            `unknown section \`${key}\`${hint ? `, did you mean \`${hint}\`?` : ''} (sections: ${TOP_KEYS.join(', ')})`,
            key,
          );
        }
    }
  }
}

type LineOf = (node: YamlNode | null | undefined) => number;

function keyText(pair: Pair): string {
  const k = pair.key;
  if (isScalar(k)) return String(k.value ?? '');
  return String(k);
}

/** A scalar as written: `1.10` stays "1.10", `on` stays "on" (Fluent Bit reads text). */
function scalarText(node: YamlNode): string | undefined {
  if (!isScalar(node)) return undefined;
  if (node.value === null) return '';
  return typeof node.source === 'string' ? node.source : String(node.value);
}

function props(
  map: YAMLMap,
  file: string,
  ctx: ReadContext,
  lineOf: LineOf,
  rejected: Set<string>,
): RawProp[] {
  const out: RawProp[] = [];
  for (const pair of map.items) {
    const key = keyText(pair);
    const line = lineOf(pair.key as YamlNode);
    const value = pair.value as YamlNode | null;
    if (key === 'processors') {
      ctx.issues.add(file, line, '`processors` are not supported by Tributary; use [FILTER] sections', key);
      continue;
    }
    if (value === null || (isScalar(value) && value.value === null)) {
      ctx.issues.add(file, line, `key \`${key}\` has no value`, key);
      rejected.add(key.toLowerCase());
      continue;
    }
    if (isSeq(value)) {
      const items: string[] = [];
      let bad = false;
      for (const item of value.items) {
        const t = scalarText(item as YamlNode);
        if (t === undefined) bad = true;
        else items.push(t);
      }
      if (bad) {
        ctx.issues.add(file, line, `key \`${key}\`: list items must be single values`, key);
        rejected.add(key.toLowerCase());
        continue;
      }
      out.push({ key, value: items, file, line });
      continue;
    }
    const t = scalarText(value);
    if (t === undefined) {
      ctx.issues.add(file, line, `key \`${key}\` must be a single value or a list, not a map`, key);
      rejected.add(key.toLowerCase());
      continue;
    }
    out.push({ key, value: t, file, line });
  }
  return out;
}

function list(
  value: YamlNode | null,
  kind: SectionKind,
  what: string,
  file: string,
  kline: number,
  ctx: ReadContext,
  lineOf: LineOf,
): void {
  if (value === null || (isScalar(value) && value.value === null)) return;
  if (!isSeq(value)) {
    ctx.issues.add(file, kline, `${what} must be a list of maps, each with a \`name\``);
    return;
  }
  for (const item of value.items) {
    const node = item as YamlNode;
    if (!isMap(node)) {
      ctx.issues.add(file, lineOf(node), `each item of ${what} must be a map with a \`name\``);
      continue;
    }
    const rejected = new Set<string>();
    const p =
      kind === 'multiline_parser'
        ? multilineProps(node, file, ctx, lineOf, rejected)
        : props(node, file, ctx, lineOf, rejected);
    ctx.raw.sections.push({ kind, file, line: lineOf(node), props: p, rejected });
  }
}

/**
 * YAML multiline parsers give `rules` as a list of `{state, regex, next_state}` maps;
 * they become `rule` entries in the classic syntax so one validator handles both.
 */
function multilineProps(
  map: YAMLMap,
  file: string,
  ctx: ReadContext,
  lineOf: LineOf,
  rejected: Set<string>,
): RawProp[] {
  const rest: YAMLMap = map.clone() as YAMLMap;
  rest.items = map.items.filter((p) => keyText(p) !== 'rules');
  const out = props(rest, file, ctx, lineOf, rejected);
  const rulesPair = map.items.find((p) => keyText(p) === 'rules');
  if (!rulesPair) return out;
  // Every problem with `rules` is reported below; do not also call the key missing.
  rejected.add('rule');
  const rules = rulesPair.value as YamlNode | null;
  if (!isSeq(rules)) {
    ctx.issues.add(
      file,
      lineOf(rulesPair.key as YamlNode),
      '`rules` must be a list of {state, regex, next_state}',
      'rules',
    );
    return out;
  }
  for (const r of rules.items) {
    const node = r as YamlNode;
    const line = lineOf(node);
    if (!isMap(node)) {
      ctx.issues.add(file, line, 'each rule must be a map with `state`, `regex` and `next_state`', 'rules');
      continue;
    }
    const f: Record<string, string> = {};
    for (const p of node.items) {
      const k = keyText(p);
      const t = scalarText(p.value as YamlNode);
      if (!['state', 'regex', 'next_state'].includes(k)) {
        ctx.issues.add(
          file,
          lineOf(p.key as YamlNode),
          `unknown rule key \`${k}\` (keys: state, regex, next_state)`,
          k,
        );
      } else if (t === undefined) {
        ctx.issues.add(file, lineOf(p.key as YamlNode), `rule key \`${k}\` must be a single value`, k);
      } else f[k] = t;
    }
    const missing = ['state', 'regex', 'next_state'].filter((k) => f[k] === undefined);
    if (missing.length > 0) {
      ctx.issues.add(file, line, `rule is missing ${missing.map((k) => `\`${k}\``).join(', ')}`, 'rules');
      continue;
    }
    out.push({
      key: 'rule',
      value: [f.state ?? '', f.regex ?? '', f.next_state ?? ''].map(quote).join(' '),
      file,
      line,
    });
  }
  return out;
}

function quote(s: string): string {
  return `"${s.replaceAll('\\"', '"').replaceAll('"', '\\"')}"`;
}

function pipeline(
  value: YamlNode | null,
  file: string,
  kline: number,
  ctx: ReadContext,
  lineOf: LineOf,
): void {
  if (value === null || (isScalar(value) && value.value === null)) return;
  if (!isMap(value)) {
    ctx.issues.add(file, kline, '`pipeline` must be a map with `inputs`, `filters` and `outputs`');
    return;
  }
  for (const pair of value.items) {
    const key = keyText(pair);
    const kind = PIPELINE_KEYS[key];
    if (kind === undefined) {
      const hint = suggest(key, Object.keys(PIPELINE_KEYS));
      ctx.issues.add(
        file,
        lineOf(pair.key as YamlNode),
        `unknown pipeline section \`${key}\`${hint ? `, did you mean \`${hint}\`?` : ''} (inputs, filters, outputs)`,
        key,
      );
      continue;
    }
    list(
      pair.value as YamlNode | null,
      kind,
      `\`pipeline.${key}\``,
      file,
      lineOf(pair.key as YamlNode),
      ctx,
      lineOf,
    );
  }
}

function env(value: YamlNode | null, file: string, kline: number, ctx: ReadContext, lineOf: LineOf): void {
  if (value === null || (isScalar(value) && value.value === null)) return;
  if (!isMap(value)) {
    ctx.issues.add(file, kline, '`env` must be a map of NAME: value');
    return;
  }
  for (const pair of value.items) {
    const name = keyText(pair);
    const line = lineOf(pair.key as YamlNode);
    const t = scalarText(pair.value as YamlNode);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      ctx.issues.add(file, line, `env name \`${name}\` must be letters, digits and \`_\``, name);
    } else if (t === undefined) {
      ctx.issues.add(file, line, `env \`${name}\` must be a single value`, name);
    } else {
      ctx.raw.variables.set(name, { value: t, file, line });
    }
  }
}

function includes(
  value: YamlNode | null,
  file: string,
  kline: number,
  ctx: ReadContext,
  lineOf: LineOf,
): void {
  if (value === null || (isScalar(value) && value.value === null)) return;
  const items = isSeq(value) ? value.items.map((i) => i as YamlNode) : [value];
  for (const node of items) {
    const path = scalarText(node);
    const line = lineOf(node);
    if (path === undefined || path === '') {
      ctx.issues.add(file, line || kline, '`includes` must be a list of file names');
      continue;
    }
    const from = { file, line };
    for (const t of resolveInclude(path, from, ctx, 'include')) readYamlFile(t, ctx, from);
  }
}
