// Multiline parsers ([MULTILINE_PARSER] and the built-ins docker, cri, go,
// python, java), following Fluent Bit's src/multiline:
//
// - A factory (one per definition) creates one stateful instance per stream
//   (a file, a container stream). Within an instance, `key_group` (docker and
//   cri: `stream`) keeps stdout and stderr apart, so interleaved partial lines
//   of the two streams are joined separately.
// - type endswith / equal: concatenate `key_content` until `key_pattern` (or
//   the content) ends with / equals `match_string` (negate inverts).
// - type regex: a state machine over rules {state, regex, next_state}. A line
//   matching a start_state rule starts a record; a line matching a rule
//   reachable from the current one continues it (joined with "\n"); a record
//   is complete when the next state can only be a start state, when another
//   record starts, or on flush.
// - A line nothing accepts is emitted on its own (after flushing what was
//   pending), so nothing is lost: {log: line}.
// - The combined record is the first line's record with `key_content`
//   replaced by the joined text, and the first line's time.
// - Text mode (no key_content) ends every record with "\n", as Fluent Bit does.
//
// Timeouts: Fluent Bit flushes everything pending every flush_timeout ms from
// a timer. Here the caller owns the timer: pendingSince tells when the oldest
// pending record started, flushExpired(now) flushes those older than
// flush_timeout (default 4000 ms), flush() flushes all (file closed, shutdown).

import { getBuiltinParser } from './builtin.ts';
import { ParseError } from './errors.ts';
import { compileRubyRegex } from './oniguruma.ts';
import { createParser } from './parser.ts';
import type { EventTime, ParseResult, Parser } from './types.ts';

export type BuiltinMultilineName = 'docker' | 'cri' | 'go' | 'python' | 'java';

export interface MultilineRule {
  /** One state or a comma-separated list ("start_state, java"). */
  state: string;
  /** Ruby regex, optionally as /.../. */
  regex: string;
  next_state: string;
}

export interface MultilineDefinition {
  name: string;
  type: 'regex' | 'endswith' | 'equal' | 'eq' | string;
  /** Rules as objects (YAML) or classic `rule` lines: `"start_state" "/regex/" "cont"`. */
  rules?: (MultilineRule | string)[] | undefined;
  /** Classic `rule` key(s). */
  rule?: string | string[] | undefined;
  match_string?: string | undefined;
  negate?: boolean | string | undefined;
  key_content?: string | undefined;
  key_pattern?: string | undefined;
  key_group?: string | undefined;
  /** A parser, or the name of one (resolved with options.resolveParser, then parsers.conf's). */
  parser?: Parser | string | undefined;
  /** Milliseconds; default 4000. */
  flush_timeout?: number | string | undefined;
  /** Maximum characters of one joined record before it is flushed truncated; default 2 MiB. */
  buffer_limit?: number | undefined;
}

export interface MultilineOptions {
  /** Clock in ms for pendingSince / flushExpired. Default Date.now. */
  now?: (() => number) | undefined;
  /** Resolves a `parser` name. */
  resolveParser?: ((name: string) => Parser | undefined) | undefined;
}

export interface MultilineParser {
  /** Feeds one line; returns the records it completed (often just this line's). */
  push(line: string, time?: EventTime): ParseResult[];
  /** Feeds an already-structured record (multiline filter use). */
  pushRecord(record: Record<string, unknown>, time?: EventTime): ParseResult[];
  /** Flushes every pending record. */
  flush(): ParseResult[];
  /** Flushes the pending records older than flushTimeoutMs. */
  flushExpired(now?: number): ParseResult[];
  /** Clock time (ms) at which the oldest pending record started; undefined when nothing is pending. */
  readonly pendingSince: number | undefined;
  /**
   * A caller-chosen position (a file offset) of the next line pushed. The tail input sets it so that
   * `pendingMark` tells which bytes are not yet part of an emitted record: what may not be committed.
   */
  mark: number;
  /** The smallest `mark` among the first lines of pending records; undefined when nothing is pending. */
  readonly pendingMark: number | undefined;
  readonly flushTimeoutMs: number;
}

export interface MultilineFactory {
  readonly name: string;
  readonly flushTimeoutMs: number;
  create(): MultilineParser;
}

export class MultilineConfigError extends Error {
  readonly parser: string;
  readonly key: string;
  constructor(parser: string, key: string, message: string) {
    super(`multiline parser '${parser}': ${key}: ${message}`);
    this.name = 'MultilineConfigError';
    this.parser = parser;
    this.key = key;
  }
}

const DEFAULT_FLUSH_MS = 4000;
const DEFAULT_BUFFER_LIMIT = 2 * 1024 * 1024;

const TYPE_REGEX = 0;
const TYPE_ENDSWITH = 1;
const TYPE_EQ = 2;

interface CompiledRule {
  regex: RegExp;
  isStart: boolean;
  toState: string;
  fromStates: string[];
  /** Non-start rules reachable from this rule's next state, in definition order. */
  next: CompiledRule[];
  /** The next state includes a start rule: the record is complete after this line. */
  nextHasStart: boolean;
}

interface Spec {
  name: string;
  type: number;
  matchString: string;
  negate: boolean;
  keyContent: string | undefined;
  keyPattern: string | undefined;
  keyGroup: string | undefined;
  parser: Parser | undefined;
  flushMs: number;
  bufferLimit: number;
  startRules: CompiledRule[];
}

/** Splits a classic `rule` value into its quoted tokens. */
export function parseRuleLine(line: string): MultilineRule {
  const tokens: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) tokens.push(m[1] ?? m[2] ?? m[3] ?? '');
  if (tokens.length !== 3) throw new Error(`rule '${line}' must be: "from_state" "/regex/" "next_state"`);
  return { state: tokens[0] as string, regex: tokens[1] as string, next_state: tokens[2] as string };
}

function compileRules(name: string, rules: MultilineRule[]): CompiledRule[] {
  const compiled: CompiledRule[] = rules.map((r, i) => {
    const fromStates = r.state
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (fromStates.length === 0) throw new MultilineConfigError(name, `rules[${i}].state`, 'is empty');
    if (typeof r.next_state !== 'string' || r.next_state.trim() === '') {
      throw new MultilineConfigError(name, `rules[${i}].next_state`, 'is empty');
    }
    let regex: RegExp;
    try {
      regex = compileRubyRegex(r.regex);
    } catch (err) {
      throw new MultilineConfigError(
        name,
        `rules[${i}].regex`,
        `invalid regex ${r.regex}: ${(err as Error).message}`,
      );
    }
    return {
      regex,
      isStart: fromStates.includes('start_state'),
      toState: r.next_state.trim(),
      fromStates,
      next: [],
      nextHasStart: false,
    };
  });
  for (const rule of compiled) {
    for (const other of compiled) {
      if (!other.fromStates.includes(rule.toState)) continue;
      if (other.isStart) rule.nextHasStart = true;
      else rule.next.push(other);
    }
  }
  const starts = compiled.filter((r) => r.isStart);
  if (starts.length === 0) throw new MultilineConfigError(name, 'rules', "no rule starts from 'start_state'");
  return starts;
}

function toBool(name: string, key: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (s === 'on' || s === 'true' || s === 'yes') return true;
  if (s === 'off' || s === 'false' || s === 'no') return false;
  throw new MultilineConfigError(name, key, `expected On/Off, got '${String(v)}'`);
}

function compileSpec(input: MultilineDefinition, options: MultilineOptions): Spec {
  const def: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) def[k.toLowerCase()] = v;
  const known = [
    'name',
    'type',
    'rules',
    'rule',
    'match_string',
    'negate',
    'key_content',
    'key_pattern',
    'key_group',
    'parser',
    'flush_timeout',
    'buffer_limit',
  ];
  const name = typeof def['name'] === 'string' && def['name'] !== '' ? def['name'] : '(unnamed)';
  for (const k of Object.keys(def)) {
    if (!known.includes(k))
      throw new MultilineConfigError(name, k, `unknown key (known: ${known.join(', ')})`);
  }
  if (name === '(unnamed)') throw new MultilineConfigError(name, 'name', 'is required');
  const typeRaw = String(def['type'] ?? '').toLowerCase();
  const type =
    typeRaw === 'regex'
      ? TYPE_REGEX
      : typeRaw === 'endswith'
        ? TYPE_ENDSWITH
        : typeRaw === 'equal' || typeRaw === 'eq'
          ? TYPE_EQ
          : -1;
  if (type < 0)
    throw new MultilineConfigError(
      name,
      'type',
      `unknown type '${typeRaw}' (expected regex, endswith or equal)`,
    );

  const str = (key: string): string | undefined => {
    const v = def[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new MultilineConfigError(name, key, 'expected a string');
    return v === '' ? undefined : v;
  };
  const matchString = str('match_string');
  if (type !== TYPE_REGEX && matchString === undefined) {
    throw new MultilineConfigError(name, 'match_string', `is required for type ${typeRaw}`);
  }

  let parser: Parser | undefined;
  const p = def['parser'];
  if (typeof p === 'string' && p !== '') {
    parser = options.resolveParser?.(p) ?? getBuiltinParser(p);
    if (parser === undefined)
      throw new MultilineConfigError(name, 'parser', `points to an undefined parser '${p}'`);
  } else if (p !== undefined && p !== '') {
    parser = p as Parser;
  }
  const keyContent = str('key_content');
  if (parser !== undefined && keyContent === undefined) {
    throw new MultilineConfigError(name, 'key_content', 'is required when a parser is set');
  }

  let flushMs = DEFAULT_FLUSH_MS;
  if (def['flush_timeout'] !== undefined) {
    flushMs = Number(def['flush_timeout']);
    if (!Number.isFinite(flushMs)) {
      throw new MultilineConfigError(
        name,
        'flush_timeout',
        `expected milliseconds, got '${String(def['flush_timeout'])}'`,
      );
    }
    if (flushMs <= 0) flushMs = DEFAULT_FLUSH_MS;
  }
  const bufferLimit =
    typeof def['buffer_limit'] === 'number' && def['buffer_limit'] > 0
      ? def['buffer_limit']
      : DEFAULT_BUFFER_LIMIT;

  let startRules: CompiledRule[] = [];
  if (type === TYPE_REGEX) {
    const rules: MultilineRule[] = [];
    const add = (r: unknown, key: string): void => {
      if (typeof r === 'string') {
        try {
          rules.push(parseRuleLine(r));
        } catch (err) {
          throw new MultilineConfigError(name, key, (err as Error).message);
        }
      } else if (r !== null && typeof r === 'object') rules.push(r as MultilineRule);
      else throw new MultilineConfigError(name, key, 'expected a rule');
    };
    for (const r of (def['rules'] as unknown[] | undefined) ?? []) add(r, 'rules');
    const classic = def['rule'];
    for (const r of Array.isArray(classic) ? (classic as unknown[]) : classic === undefined ? [] : [classic])
      add(r, 'rule');
    startRules = compileRules(name, rules);
  }

  return {
    name,
    type,
    matchString: matchString ?? '',
    negate: toBool(name, 'negate', def['negate']),
    keyContent,
    keyPattern: str('key_pattern'),
    keyGroup: str('key_group'),
    parser,
    flushMs,
    bufferLimit,
    startRules,
  };
}

class Group {
  buf = '';
  /** The first line's record (map input), copied with key_content replaced at flush. */
  context: Record<string, unknown> | undefined = undefined;
  time: EventTime | undefined = undefined;
  startedAt = 0;
  startedMark = 0;
  rule: CompiledRule | undefined = undefined;
  pending = false;
}

class Instance implements MultilineParser {
  private readonly spec: Spec;
  private readonly now: () => number;
  private readonly groups = new Map<string, Group>();
  mark = 0;
  /** The last offered line's parsed form when the parser read it but no rule took it. */
  private parsedButUnused: ParseResult | undefined;

  constructor(spec: Spec, now: () => number) {
    this.spec = spec;
    this.now = now;
  }

  get flushTimeoutMs(): number {
    return this.spec.flushMs;
  }

  get pendingSince(): number | undefined {
    let since: number | undefined;
    for (const g of this.groups.values()) {
      if (g.pending && (since === undefined || g.startedAt < since)) since = g.startedAt;
    }
    return since;
  }

  get pendingMark(): number | undefined {
    let mark: number | undefined;
    for (const g of this.groups.values()) {
      if (g.pending && (mark === undefined || g.startedMark < mark)) mark = g.startedMark;
    }
    return mark;
  }

  push(line: string, time?: EventTime): ParseResult[] {
    const out: ParseResult[] = [];
    if (this.offer(line, undefined, time, out)) return out;
    this.emitUnprocessed(line, undefined, time, out);
    return out;
  }

  pushRecord(record: Record<string, unknown>, time?: EventTime): ParseResult[] {
    const out: ParseResult[] = [];
    if (this.offer(undefined, record, time, out)) return out;
    this.emitUnprocessed(undefined, record, time, out);
    return out;
  }

  flush(): ParseResult[] {
    const out: ParseResult[] = [];
    for (const g of this.groups.values()) if (g.pending) out.push(this.flushGroup(g));
    return out;
  }

  flushExpired(now: number = this.now()): ParseResult[] {
    const out: ParseResult[] = [];
    for (const g of this.groups.values()) {
      if (g.pending && now - g.startedAt >= this.spec.flushMs) out.push(this.flushGroup(g));
    }
    return out;
  }

  /** The line no rule accepts: flush what is pending, then emit it alone (never lost). */
  emitUnprocessed(
    line: string | undefined,
    record: Record<string, unknown> | undefined,
    time: EventTime | undefined,
    out: ParseResult[],
  ): void {
    for (const g of this.groups.values()) {
      if (g.pending) out.push(this.flushGroup(g));
      g.rule = undefined;
    }
    if (record !== undefined) {
      out.push({ record, time });
      return;
    }
    // The parser read the line but no rule took it: keep the parsed record
    // (Fluent Bit falls back to the raw text here, losing the structure).
    const parsed = this.parsedButUnused;
    this.parsedButUnused = undefined;
    if (parsed !== undefined) {
      out.push(parsed);
      return;
    }
    const text = line as string;
    const key = this.spec.keyContent ?? 'log';
    const value = this.spec.keyContent === undefined && !text.endsWith('\n') ? text + '\n' : text;
    out.push({ record: { [key]: value }, time });
  }

  /** Tries to take the line; false (with no side effect) when this parser does not accept it. */
  offer(
    line: string | undefined,
    input: Record<string, unknown> | undefined,
    time: EventTime | undefined,
    out: ParseResult[],
  ): boolean {
    const spec = this.spec;
    let record = input;
    let t = time;
    this.parsedButUnused = undefined;
    if (record === undefined && spec.parser !== undefined) {
      const r = spec.parser.parse(line as string);
      if (r instanceof ParseError) return false;
      record = r.record;
      if (r.time !== undefined) t = r.time;
      this.parsedButUnused = { record, time: t };
    }
    let content: string;
    let pattern: string | undefined;
    let groupKey = '';
    if (record !== undefined) {
      if (spec.keyContent === undefined) return false;
      const c = record[spec.keyContent];
      if (typeof c !== 'string') return false;
      content = c;
      if (spec.keyPattern !== undefined) {
        const p = record[spec.keyPattern];
        if (typeof p === 'string') pattern = p;
      }
      if (spec.keyGroup !== undefined) {
        const g = record[spec.keyGroup];
        if (typeof g === 'string') groupKey = g;
      }
    } else {
      content = line as string;
    }

    let g = this.groups.get(groupKey);
    if (g === undefined) {
      g = new Group();
      this.groups.set(groupKey, g);
    }

    if (spec.type === TYPE_REGEX) {
      if (!this.offerRegex(g, content, record, t, out)) return false;
      this.parsedButUnused = undefined;
      return true;
    }

    const subject = pattern ?? content;
    let matched: boolean;
    if (spec.type === TYPE_ENDSWITH) {
      if (spec.matchString.length > subject.length) return false;
      matched = subject.endsWith(spec.matchString);
    } else {
      matched = subject === spec.matchString;
    }
    if (spec.negate) matched = !matched;
    this.parsedButUnused = undefined;

    // Fast path: a complete line with nothing pending is its own record, as is.
    if (matched && !g.pending) {
      if (record !== undefined) out.push({ record, time: t });
      else out.push({ record: { [spec.keyContent ?? 'log']: withBreak(spec, content) }, time: t });
      return true;
    }
    if (!g.pending) this.start(g, record, t);
    else if (spec.keyContent === undefined && !g.buf.endsWith('\n')) g.buf += '\n';
    this.append(g, content, out);
    if (matched && g.pending) out.push(this.flushGroup(g));
    return true;
  }

  private offerRegex(
    g: Group,
    content: string,
    record: Record<string, unknown> | undefined,
    t: EventTime | undefined,
    out: ParseResult[],
  ): boolean {
    let rule: CompiledRule | undefined;
    if (g.rule !== undefined) {
      for (const r of g.rule.next) {
        if (r.regex.test(content)) {
          rule = r;
          if (!g.pending) this.start(g, record, t);
          else if (!g.buf.endsWith('\n')) g.buf += '\n';
          this.append(g, content === '' ? '\n' : content, out);
          break;
        }
      }
    }
    if (rule === undefined) {
      for (const r of this.spec.startRules) {
        if (r.regex.test(content)) {
          rule = r;
          break;
        }
      }
      if (rule === undefined) return false;
      if (g.pending) out.push(this.flushGroup(g));
      this.start(g, record, t);
      this.append(g, content, out);
    }
    g.rule = rule;
    // The record is complete when what follows can only be a new record.
    if (rule.nextHasStart && g.pending) out.push(this.flushGroup(g));
    return true;
  }

  private start(g: Group, record: Record<string, unknown> | undefined, t: EventTime | undefined): void {
    g.pending = true;
    g.context = record;
    g.time = t;
    g.startedAt = this.now();
    g.startedMark = this.mark;
    g.buf = '';
  }

  private append(g: Group, text: string, out: ParseResult[]): void {
    g.buf += text;
    if (g.buf.length > this.spec.bufferLimit) {
      // Bounded memory: flush the record truncated at the limit, then stop joining.
      g.buf = g.buf.slice(0, this.spec.bufferLimit);
      out.push(this.flushGroup(g));
      g.rule = undefined;
    }
  }

  private flushGroup(g: Group): ParseResult {
    const spec = this.spec;
    const text = withBreak(spec, g.buf);
    let record: Record<string, unknown>;
    if (g.context !== undefined && spec.keyContent !== undefined) {
      // Same keys, same order, joined content in place of the first line's.
      record = { ...g.context };
      record[spec.keyContent] = text;
    } else {
      record = { [spec.keyContent ?? 'log']: text };
    }
    const result: ParseResult = { record, time: g.time };
    g.pending = false;
    g.buf = '';
    g.context = undefined;
    g.time = undefined;
    return result;
  }
}

/** Text mode (no key_content) ends each record with "\n", as Fluent Bit does. */
function withBreak(spec: Spec, text: string): string {
  if (spec.keyContent !== undefined || text === '' || text.endsWith('\n')) return text;
  return text + '\n';
}

/** A chain (`multiline.parser docker, cri`): the last parser that took a line is tried first. */
class Chain implements MultilineParser {
  private readonly parsers: Instance[];
  private lru: Instance | undefined;

  set mark(value: number) {
    for (const p of this.parsers) p.mark = value;
  }

  get mark(): number {
    return this.parsers[0]?.mark ?? 0;
  }

  get pendingMark(): number | undefined {
    let mark: number | undefined;
    for (const p of this.parsers) {
      const m = p.pendingMark;
      if (m !== undefined && (mark === undefined || m < mark)) mark = m;
    }
    return mark;
  }

  constructor(parsers: Instance[]) {
    this.parsers = parsers;
  }

  get flushTimeoutMs(): number {
    return Math.min(...this.parsers.map((p) => p.flushTimeoutMs));
  }

  get pendingSince(): number | undefined {
    let since: number | undefined;
    for (const p of this.parsers) {
      const s = p.pendingSince;
      if (s !== undefined && (since === undefined || s < since)) since = s;
    }
    return since;
  }

  private feed(
    line: string | undefined,
    record: Record<string, unknown> | undefined,
    time?: EventTime,
  ): ParseResult[] {
    const out: ParseResult[] = [];
    const lru = this.lru;
    if (lru !== undefined) {
      if (lru.offer(line, record, time, out)) return out;
      for (const r of lru.flush()) out.push(r);
    }
    for (const p of this.parsers) {
      if (p === lru) continue;
      if (p.offer(line, record, time, out)) {
        this.lru = p;
        return out;
      }
    }
    (lru ?? (this.parsers[0] as Instance)).emitUnprocessed(line, record, time, out);
    return out;
  }

  push(line: string, time?: EventTime): ParseResult[] {
    return this.feed(line, undefined, time);
  }

  pushRecord(record: Record<string, unknown>, time?: EventTime): ParseResult[] {
    return this.feed(undefined, record, time);
  }

  flush(): ParseResult[] {
    return this.parsers.flatMap((p) => p.flush());
  }

  flushExpired(now?: number): ParseResult[] {
    return this.parsers.flatMap((p) => p.flushExpired(now));
  }
}

// Fluent Bit's built-in multiline parsers (src/multiline/flb_ml_parser_*.c).
const BUILTIN_ML: Record<BuiltinMultilineName, () => MultilineDefinition> = {
  docker: () => ({
    name: 'docker',
    type: 'endswith',
    match_string: '\n',
    key_content: 'log',
    key_group: 'stream',
    parser: createParser({
      name: '_ml_json_docker',
      format: 'json',
      time_key: 'time',
      time_format: '%Y-%m-%dT%H:%M:%S.%L',
      time_keep: true,
    }),
  }),
  cri: () => ({
    name: 'cri',
    type: 'equal',
    match_string: 'F',
    key_content: 'log',
    key_group: 'stream',
    key_pattern: '_p',
    parser: createParser({
      name: '_ml_cri',
      format: 'regex',
      regex: '^(?<time>.+?) (?<stream>stdout|stderr) (?<_p>F|P) (?<log>.*)$',
      time_key: 'time',
      time_format: '%Y-%m-%dT%H:%M:%S.%L%z',
      time_keep: true,
      skip_empty_values: false,
    }),
  }),
  go: () => ({
    name: 'go',
    type: 'regex',
    rules: [
      { state: 'start_state', regex: '/\\bpanic: /', next_state: 'go_after_panic' },
      { state: 'start_state', regex: '/http: panic serving/', next_state: 'go_goroutine' },
      { state: 'go_after_panic', regex: '/^$/', next_state: 'go_goroutine' },
      { state: 'go_after_panic, go_after_signal, go_frame_1', regex: '/^$/', next_state: 'go_goroutine' },
      { state: 'go_after_panic', regex: '/^\\[signal /', next_state: 'go_after_signal' },
      { state: 'go_goroutine', regex: '/^goroutine \\d+ \\[[^\\]]+\\]:$/', next_state: 'go_frame_1' },
      {
        state: 'go_frame_1',
        regex: '/^(?:[^\\s.:]+\\.)*[^\\s.():]+\\(|^created by /',
        next_state: 'go_frame_2',
      },
      { state: 'go_frame_2', regex: '/^\\s/', next_state: 'go_frame_1' },
    ],
  }),
  python: () => ({
    name: 'python',
    type: 'regex',
    rules: [
      { state: 'start_state', regex: '/^Traceback \\(most recent call last\\):$/', next_state: 'python' },
      { state: 'python', regex: '/^[\\t ]+File /', next_state: 'python_code' },
      { state: 'python_code', regex: '/[^\\t ]/', next_state: 'python' },
      { state: 'python', regex: '/^(?:[^\\s.():]+\\.)*[^\\s.():]+:/', next_state: 'start_state' },
    ],
  }),
  java: () => ({
    name: 'java',
    type: 'regex',
    rules: [
      {
        state: 'start_state, java_start_exception',
        regex: '/(.)(?:Exception|Error|Throwable|V8 errors stack trace)[:\\r\\n]/',
        next_state: 'java_after_exception',
      },
      {
        state: 'java_after_exception',
        regex: '/^[\\t ]*nested exception is:[\\t ]*/',
        next_state: 'java_start_exception',
      },
      { state: 'java_after_exception', regex: '/^[\\r\\n]*$/', next_state: 'java_after_exception' },
      { state: 'java_after_exception, java', regex: '/^[\\t ]+(?:eval )?at /', next_state: 'java' },
      {
        state: 'java_after_exception, java',
        regex: '/^[\\t ]+--- End of inner exception stack trace ---$/',
        next_state: 'java',
      },
      {
        state: 'java_after_exception, java',
        regex: '/^--- End of stack trace from previous location where exception was thrown ---$/',
        next_state: 'java',
      },
      {
        state: 'java_after_exception, java',
        regex: '/^[\\t ]*(?:Caused by|Suppressed):/',
        next_state: 'java_after_exception',
      },
      {
        state: 'java_after_exception, java',
        regex: '/^[\\t ]*... \\d+ (?:more|common frames omitted)/',
        next_state: 'java',
      },
    ],
  }),
};

export const BUILTIN_MULTILINE_PARSERS: readonly BuiltinMultilineName[] = [
  'docker',
  'cri',
  'go',
  'python',
  'java',
];

function isBuiltinName(v: string): v is BuiltinMultilineName {
  return (BUILTIN_MULTILINE_PARSERS as readonly string[]).includes(v);
}

function specFor(def: MultilineDefinition | string, options: MultilineOptions): Spec {
  if (typeof def === 'string') {
    const n = def.trim().toLowerCase();
    if (!isBuiltinName(n)) {
      throw new MultilineConfigError(
        def,
        'name',
        `no built-in multiline parser '${def}' (built-ins: ${BUILTIN_MULTILINE_PARSERS.join(', ')})`,
      );
    }
    return compileSpec(BUILTIN_ML[n](), options);
  }
  return compileSpec(def, options);
}

/**
 * Validates a multiline definition (or names a built-in, or lists several for
 * a chain) and returns a factory of per-stream instances. Throws
 * MultilineConfigError naming the parser and key.
 */
export function createMultilineParser(
  def: MultilineDefinition | BuiltinMultilineName | string | readonly (MultilineDefinition | string)[],
  options: MultilineOptions = {},
): MultilineFactory {
  const now = options.now ?? Date.now;
  const defs = Array.isArray(def)
    ? (def as readonly (MultilineDefinition | string)[])
    : [def as MultilineDefinition | string];
  if (defs.length === 0) throw new MultilineConfigError('(none)', 'multiline.parser', 'no parser given');
  const specs = defs.map((d) => specFor(d, options));
  const name = specs.map((s) => s.name).join(', ');
  const flushTimeoutMs = Math.min(...specs.map((s) => s.flushMs));
  if (specs.length === 1) {
    const spec = specs[0] as Spec;
    return { name, flushTimeoutMs, create: () => new Instance(spec, now) };
  }
  return { name, flushTimeoutMs, create: () => new Chain(specs.map((s) => new Instance(s, now))) };
}
