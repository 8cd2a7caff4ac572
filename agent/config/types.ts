/**
 * The normalised agent configuration that both Fluent Bit formats (classic and YAML) load
 * into. Plugin code reads `values` (typed, defaults applied); `properties` keeps what the
 * user wrote, with where, for messages.
 */

export type PluginKind = 'input' | 'filter' | 'output';

/** A value after typing: sizes in bytes, times in seconds, bools, lists of strings. */
export type TypedValue = string | number | boolean | readonly string[];

/** One key as written: repeated keys (`Add`, `Rule`, ...) collect into an array. */
export interface PropertyValue {
  /** The key as the user spelled it first (`Buffer_Chunk_Size`), for messages. */
  readonly key: string;
  /** `${VAR}` already substituted. An array for repeatable keys and YAML lists. */
  readonly value: string | readonly string[];
  /** Where the key first appears. */
  readonly file: string;
  readonly line: number;
  /** Each occurrence with its own place, for repeatable keys (`Rule` on lines 4, 5, 6). */
  readonly occurrences: readonly { readonly value: string; readonly file: string; readonly line: number }[];
}

export interface PluginInstance {
  readonly kind: PluginKind;
  /** Plugin name, lower case (`tail`, `es`). */
  readonly name: string;
  /** Fluent Bit's instance name: `Alias` if set, else `<name>.<n>` (`tail.0`), as in its metrics. */
  readonly instanceName: string;
  /** Keys as written, lower-cased. */
  readonly properties: ReadonlyMap<string, PropertyValue>;
  /** Every key of the plugin's table that has a value (given or default), typed; keys lower-cased. */
  readonly values: Readonly<Record<string, TypedValue>>;
  readonly file: string;
  readonly line: number;
}

export interface InputInstance extends PluginInstance {
  readonly kind: 'input';
  /**
   * `Tag`, or Fluent Bit's default: the instance name (`tail.0`). For tail it may hold `*`
   * or `<name>` placeholders: expand with `compileTagExpander` from `match.ts`.
   */
  readonly tag: string;
  /** Whether `Tag` was given (the forward input keeps senders' tags unless it was). */
  readonly tagGiven: boolean;
}

export interface RoutedInstance extends PluginInstance {
  readonly kind: 'filter' | 'output';
  /**
   * `Match` / `Match_Regex` compiled once. `undefined` when neither is set (Fluent Bit then
   * routes nothing there, except to the only output of a one-input one-output config).
   */
  readonly match: ((tag: string) => boolean) | undefined;
}

export type ParserFormat = 'json' | 'regex' | 'logfmt';

export interface ParserDefinition {
  readonly name: string;
  readonly format: ParserFormat;
  /** Source of the regex (`/.../` delimiters removed), for `format regex`. */
  readonly regex: string | undefined;
  readonly timeKey: string | undefined;
  readonly timeFormat: string | undefined;
  readonly timeKeep: boolean;
  /** `Time_Offset` in seconds east of UTC (`+0200` → 7200). */
  readonly timeOffset: number | undefined;
  /** `Types key:type ...` (`integer`, `bool`, `float`, `hex`, `string`). */
  readonly types: Readonly<Record<string, string>>;
  /** Every key of the parser table, typed; keys lower-cased. */
  readonly values: Readonly<Record<string, TypedValue>>;
  /** True for the definitions Tributary ships (`docker`, `cri`). */
  readonly builtin: boolean;
  readonly file: string;
  readonly line: number;
}

export interface MultilineRule {
  /** States this rule applies in (`start_state`, or a comma list). */
  readonly states: readonly string[];
  /** Regex source, `/.../` delimiters removed. */
  readonly regex: string;
  readonly nextState: string;
  readonly file: string;
  readonly line: number;
}

export interface MultilineParserDefinition {
  readonly name: string;
  readonly type: 'regex';
  readonly rules: readonly MultilineRule[];
  /** Milliseconds, as Fluent Bit's `flush_timeout`. */
  readonly flushTimeoutMs: number;
  readonly parser: string | undefined;
  readonly keyContent: string | undefined;
  readonly values: Readonly<Record<string, TypedValue>>;
  readonly builtin: boolean;
  readonly file: string;
  readonly line: number;
}

export interface ServiceConfig {
  /** Typed `[SERVICE]` keys, defaults applied; keys lower-cased. */
  readonly values: Readonly<Record<string, TypedValue>>;
  readonly properties: ReadonlyMap<string, PropertyValue>;
}

export interface AgentConfig {
  /** The main config file, as given. */
  readonly file: string;
  readonly format: 'classic' | 'yaml';
  readonly service: ServiceConfig;
  readonly inputs: readonly InputInstance[];
  readonly filters: readonly RoutedInstance[];
  readonly outputs: readonly RoutedInstance[];
  /** User parsers (from `[PARSER]`, `Parsers_File`, YAML `parsers`) plus the built-in ones. */
  readonly parsers: readonly ParserDefinition[];
  readonly multilineParsers: readonly MultilineParserDefinition[];
  /** Every file read (main, includes, parsers files), for hot reload. */
  readonly files: readonly string[];
  /** Things Fluent Bit also accepts but that are probably mistakes (an output without Match). */
  readonly warnings: readonly AgentConfigIssue[];
}

export interface AgentConfigIssue {
  readonly file: string;
  /** 1-based; absent for problems with the whole file (missing, too big, binary). */
  readonly line?: number;
  readonly col?: number;
  /** The key concerned, as written. */
  readonly key?: string;
  readonly message: string;
}
