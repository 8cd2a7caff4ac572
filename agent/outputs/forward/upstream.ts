// Fluent Bit's Upstream file (one `[UPSTREAM]` with a `name`, then `[NODE]` sections in the classic
// format) and the rotation that spreads flushes over its nodes.
import { expandEnv } from '../../../common/config/index.ts';
import type { Env } from '../../../common/config/index.ts';
import { AgentConfigError } from '../../config/errors.ts';
import { readConfigText } from '../../config/read.ts';
import { suggest } from '../../config/suggest.ts';
import type { AgentConfigIssue } from '../../config/types.ts';
import { parseBool } from '../../config/values.ts';
import type { ForwardSettings, TlsSettings } from './types.ts';

export type Overrides<T> = { -readonly [K in keyof T]?: T[K] };

export interface UpstreamNode {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly line: number;
  /** Only the keys the node sets; the `[OUTPUT]`'s apply to the rest. */
  readonly tls: Overrides<TlsSettings>;
  readonly settings: Overrides<ForwardSettings>;
}

export interface Upstream {
  readonly file: string;
  readonly name: string;
  readonly line: number;
  readonly nodes: readonly UpstreamNode[];
}

/** Fluent Bit's node keys (flb_upstream_ha.c) plus the out_forward keys it reads per node. */
const NODE_KEYS = [
  'name',
  'host',
  'port',
  'tls',
  'tls.verify',
  'tls.debug',
  'tls.vhost',
  'tls.ca_path',
  'tls.ca_file',
  'tls.crt_file',
  'tls.key_file',
  'tls.key_passwd',
  'shared_key',
  'empty_shared_key',
  'self_hostname',
  'username',
  'password',
  'time_as_integer',
  'send_options',
  'require_ack_response',
  'compress',
  'tag',
] as const;
type NodeKey = (typeof NODE_KEYS)[number];
const NODE_KEY_SET: ReadonlySet<string> = new Set(NODE_KEYS);

interface Prop {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

interface Section {
  readonly kind: 'upstream' | 'node';
  readonly line: number;
  readonly props: Map<string, Prop>;
}

class Problems {
  readonly list: AgentConfigIssue[] = [];
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  add(line: number | undefined, message: string, key?: string): void {
    this.list.push({
      file: this.file,
      ...(line === undefined ? {} : { line }),
      ...(key === undefined ? {} : { key }),
      message,
    });
  }
}

/** Reads and parses an Upstream file; throws AgentConfigError naming the file (and line). */
export function readUpstreamFile(path: string, env: Env = process.env): Upstream {
  const read = readConfigText(path);
  if (!read.ok) throw new AgentConfigError([{ file: path, message: `upstream file: ${read.message}` }]);
  return parseUpstream(read.text, path, env);
}

/** Parses Upstream file text; every problem is reported at once, as an AgentConfigError. */
export function parseUpstream(text: string, file: string, env: Env = process.env): Upstream {
  const problems = new Problems(file);
  const sections = readSections(text, env, problems);
  const upstreams = sections.filter((s) => s.kind === 'upstream');
  const nodeSections = sections.filter((s) => s.kind === 'node');
  let name = '';
  let line = 1;
  const first = upstreams[0];
  if (first === undefined) {
    problems.add(undefined, 'no [UPSTREAM] section: an upstream file starts with [UPSTREAM] and its name');
  } else {
    line = first.line;
    for (const extra of upstreams.slice(1)) {
      problems.add(
        extra.line,
        `second [UPSTREAM] section (first on line ${first.line}): one upstream per file`,
      );
    }
    for (const p of first.props.values()) {
      if (p.key.toLowerCase() !== 'name') {
        problems.add(p.line, `unknown key \`${p.key}\` in [UPSTREAM]: it takes only \`name\``, p.key);
      }
    }
    const n = first.props.get('name');
    if (n === undefined) problems.add(first.line, '[UPSTREAM] has no `name`');
    else name = n.value;
  }
  if (nodeSections.length === 0 && first !== undefined) {
    problems.add(undefined, 'no [NODE] sections: an upstream needs at least one node');
  }
  const nodes: UpstreamNode[] = [];
  nodeSections.forEach((section, i) => {
    const node = readNode(section, i, problems);
    if (node !== undefined) nodes.push(node);
  });
  if (problems.list.length > 0) throw new AgentConfigError(problems.list);
  return { file, name, line, nodes };
}

const SECTION_RE = /^\[([^\]]*)\]/;

function readSections(text: string, env: Env, problems: Problems): Section[] {
  const sections: Section[] = [];
  let current: Section | undefined;
  // After a bad header its keys would only add noise.
  let skipping = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = lines[i] ?? '';
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const body = line.trimStart();
    if (body === '' || body.startsWith('#')) continue;
    if (line.startsWith('[')) {
      const m = SECTION_RE.exec(line);
      const kind = m === null ? undefined : (m[1] ?? '').trim().toLowerCase();
      if (kind === 'upstream' || kind === 'node') {
        current = { kind, line: lineNo, props: new Map() };
        sections.push(current);
        skipping = false;
      } else {
        problems.add(
          lineNo,
          m === null
            ? `bad section header \`${line.trim()}\`: missing the closing \`]\``
            : `unknown section [${(m[1] ?? '').trim()}] in an upstream file (sections: UPSTREAM, NODE)`,
        );
        current = undefined;
        skipping = true;
      }
      continue;
    }
    if (line.startsWith('@')) {
      problems.add(lineNo, `\`${body.split(/[ \t]/, 1)[0] ?? body}\` is not supported in upstream files`);
      continue;
    }
    if (body.startsWith('[')) {
      problems.add(lineNo, `section header \`${body.trim()}\` must start at the beginning of the line`);
      current = undefined;
      skipping = true;
      continue;
    }
    const key = body.split(/[ \t]/, 1)[0] ?? body;
    if (body === line) {
      problems.add(lineNo, `key \`${key}\` is not indented: entries of a section must be indented`, key);
      continue;
    }
    if (skipping) continue;
    if (current === undefined) {
      problems.add(lineNo, `\`${key}\` is outside any section: an upstream file starts with [UPSTREAM]`, key);
      continue;
    }
    const m = /^(\S+)[ \t]+(.*\S)/.exec(body);
    if (m === null) {
      problems.add(lineNo, `key \`${key}\` has no value: write \`${key} VALUE\``, key);
      continue;
    }
    const lower = key.toLowerCase();
    const seen = current.props.get(lower);
    if (seen !== undefined) {
      problems.add(lineNo, `\`${key}\` is given twice in this section (first on line ${seen.line})`, key);
      continue;
    }
    const expanded = expandEnv(m[2] ?? '', env);
    if (!expanded.ok) {
      for (const p of expanded.problems) problems.add(lineNo, `\`${key}\`: ${p.message}`, key);
      continue;
    }
    current.props.set(lower, { key, value: expanded.value, line: lineNo });
  }
  return sections;
}

function readNode(section: Section, index: number, problems: Problems): UpstreamNode | undefined {
  const label = `[NODE] #${index + 1}`;
  const before = problems.list.length;
  const required = (key: 'name' | 'host' | 'port'): Prop | undefined => {
    const p = section.props.get(key);
    if (p === undefined) problems.add(section.line, `${label} has no \`${key}\``, key);
    return p;
  };
  const name = required('name');
  const host = required('host');
  const portProp = required('port');
  const port = portProp === undefined ? 0 : integer(portProp, 1, 65535, problems);
  const tls: Overrides<TlsSettings> = {};
  const settings: Overrides<ForwardSettings> = {};
  for (const [lower, p] of section.props) {
    if (!NODE_KEY_SET.has(lower)) {
      const hint = suggest(lower, NODE_KEYS);
      problems.add(
        p.line,
        `unknown key \`${p.key}\` in ${label}${hint === undefined ? '' : `, did you mean \`${hint}\`?`}`,
        p.key,
      );
      continue;
    }
    applyNodeKey(lower as NodeKey, p, tls, settings, problems);
  }
  if (problems.list.length > before || name === undefined || host === undefined) return undefined;
  return { name: name.value, host: host.value, port, line: section.line, tls, settings };
}

function applyNodeKey(
  key: NodeKey,
  p: Prop,
  tls: Overrides<TlsSettings>,
  settings: Overrides<ForwardSettings>,
  problems: Problems,
): void {
  const bool = (): boolean | undefined => {
    const b = parseBool(p.value);
    if (b === undefined) problems.add(p.line, `\`${p.key}\`: expected on/off, got \`${p.value}\``, p.key);
    return b;
  };
  let b: boolean | undefined;
  switch (key) {
    case 'name':
    case 'host':
    case 'port':
      return;
    case 'tls':
      if ((b = bool()) !== undefined) tls.enabled = b;
      return;
    case 'tls.verify':
      if ((b = bool()) !== undefined) tls.verify = b;
      return;
    case 'tls.debug':
      // Accepted for compatibility: OpenSSL's debug levels have no node:tls equivalent.
      integer(p, 0, 4, problems);
      return;
    case 'tls.vhost':
      tls.vhost = p.value;
      return;
    case 'tls.ca_path':
      tls.caPath = p.value;
      return;
    case 'tls.ca_file':
      tls.caFile = p.value;
      return;
    case 'tls.crt_file':
      tls.crtFile = p.value;
      return;
    case 'tls.key_file':
      tls.keyFile = p.value;
      return;
    case 'tls.key_passwd':
      tls.keyPasswd = p.value;
      return;
    case 'shared_key':
      settings.sharedKey = p.value;
      return;
    case 'empty_shared_key':
      if ((b = bool()) !== undefined) settings.emptySharedKey = b;
      return;
    case 'self_hostname':
      settings.selfHostname = p.value;
      return;
    case 'username':
      settings.username = p.value;
      return;
    case 'password':
      settings.password = p.value;
      return;
    case 'time_as_integer':
      if ((b = bool()) !== undefined) settings.timeAsInteger = b;
      return;
    case 'send_options':
      if ((b = bool()) !== undefined) settings.sendOptions = b;
      return;
    case 'require_ack_response':
      if ((b = bool()) !== undefined) settings.requireAck = b;
      return;
    case 'compress': {
      const v = p.value.toLowerCase();
      if (v === 'gzip' || v === 'text') settings.compress = v === 'gzip';
      else problems.add(p.line, `\`${p.key}\`: expected gzip or text, got \`${p.value}\``, p.key);
      return;
    }
    case 'tag':
      settings.tag = p.value;
      return;
  }
}

function integer(p: Prop, min: number, max: number, problems: Problems): number {
  const n = /^[0-9]+$/.test(p.value) ? Number(p.value) : NaN;
  if (!(n >= min && n <= max)) {
    problems.add(
      p.line,
      `\`${p.key}\`: expected a whole number in ${min}..${max}, got \`${p.value}\``,
      p.key,
    );
    return 0;
  }
  return n;
}

export interface RotationOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  now?: () => number;
}

interface Health {
  failures: number;
  /** Skipped until this time (ms); 0 when healthy. */
  downUntil: number;
}

/**
 * Round robin over the nodes that are up. A node that fails is skipped for a while (doubling per
 * consecutive failure), then tried again by the rotation; when every node is down, the one due back
 * first is tried anyway, so a flush never fails without an attempt.
 */
export class NodeRotation<T> {
  readonly nodes: readonly T[];
  private readonly health: Health[];
  private readonly options: RotationOptions;
  private readonly now: () => number;
  private cursor = 0;

  constructor(nodes: readonly T[], options: RotationOptions) {
    this.nodes = nodes;
    this.options = options;
    this.now = options.now ?? Date.now;
    this.health = nodes.map(() => ({ failures: 0, downUntil: 0 }));
  }

  /** The node for the next attempt, never `exclude` (the node that just failed this flush). */
  pick(exclude?: T): T | undefined {
    const n = this.nodes.length;
    const now = this.now();
    let fallback = -1;
    for (let step = 0; step < n; step++) {
      const i = (this.cursor + step) % n;
      const node = this.nodes[i];
      const health = this.health[i];
      if (node === undefined || health === undefined || node === exclude) continue;
      if (health.downUntil <= now) {
        this.cursor = (i + 1) % n;
        return node;
      }
      if (fallback < 0 || health.downUntil < (this.health[fallback]?.downUntil ?? Infinity)) fallback = i;
    }
    if (fallback < 0) return undefined;
    this.cursor = (fallback + 1) % n;
    return this.nodes[fallback];
  }

  /** Marks a failure; returns how long the node will be skipped (ms). */
  failed(node: T): number {
    const health = this.healthOf(node);
    if (health === undefined) return 0;
    health.failures++;
    const delay = Math.min(
      this.options.maxDelayMs,
      this.options.baseDelayMs * 2 ** Math.min(health.failures - 1, 30),
    );
    health.downUntil = this.now() + delay;
    return delay;
  }

  /** Marks a success; returns how many consecutive failures the node had before it. */
  succeeded(node: T): number {
    const health = this.healthOf(node);
    if (health === undefined) return 0;
    const failures = health.failures;
    health.failures = 0;
    health.downUntil = 0;
    return failures;
  }

  isUp(node: T): boolean {
    const health = this.healthOf(node);
    return health !== undefined && health.downUntil <= this.now();
  }

  private healthOf(node: T): Health | undefined {
    return this.health[this.nodes.indexOf(node)];
  }
}
