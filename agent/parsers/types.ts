import type { ParseError } from './errors.ts';

/** A record's time with nanosecond precision (Forward's EventTime). */
export interface EventTime {
  seconds: number;
  nanoseconds: number;
}

/**
 * A parsed record and its time. `time` undefined means "use the read time", as
 * Fluent Bit does when Time_Key is absent or its value does not parse.
 * The property is always present (possibly undefined) so that every result has
 * the same shape, which keeps the callers' property accesses monomorphic.
 */
export interface ParseResult {
  record: Record<string, unknown>;
  time?: EventTime | undefined;
}

export type ParserFormat = 'json' | 'regex' | 'logfmt';

export interface Parser {
  readonly name: string;
  readonly format: ParserFormat;
  /** Never throws on bad input: returns a ParseError instead. */
  parse(line: string): ParseResult | ParseError;
  /** Same as parse() on buf[start, end) decoded as UTF-8 (invalid bytes become U+FFFD). */
  parseBuffer(buf: Buffer, start?: number, end?: number): ParseResult | ParseError;
  /**
   * Set on json parsers that do nothing to a record beyond the time key (no decoders): what the
   * JSON-to-msgpack fast path (json-msgpack.ts) needs to give the same result as parse().
   */
  readonly jsonFastPath?: JsonFastPath | undefined;
}

export interface JsonFastPath {
  readonly timeKey: string;
  /** Undefined without Time_Format: the time key is then an ordinary field. */
  readonly parseTime: ((value: string) => EventTime | undefined) | undefined;
  readonly timeKeep: boolean;
}

export type DecoderBackend = 'json' | 'escaped' | 'escaped_utf8';
export type DecoderAction = 'try_next' | 'do_next';

/** One Decode_Field / Decode_Field_As line, in config order. */
export interface DecoderRule {
  /** 'field' = Decode_Field (structured result added as extra keys), 'field_as' = Decode_Field_As (replace the value). */
  type: 'field' | 'field_as';
  decoder: DecoderBackend;
  field: string;
  action?: DecoderAction | undefined;
}

/**
 * A [PARSER] section. Keys are Fluent Bit's, matched case-insensitively
 * (`Time_Key` and `time_key` are the same key), so a config loader can pass a
 * section's properties through unchanged.
 */
export interface ParserDefinition {
  name: string;
  format: ParserFormat | string;
  regex?: string | undefined;
  time_key?: string | undefined;
  time_format?: string | undefined;
  time_keep?: boolean | string | undefined;
  time_strict?: boolean | string | undefined;
  time_offset?: string | undefined;
  time_system_timezone?: boolean | string | undefined;
  types?: string | undefined;
  skip_empty_values?: boolean | string | undefined;
  logfmt_no_bare_keys?: boolean | string | undefined;
  /** `Decode_Field json log`; several lines allowed. */
  decode_field?: string | string[] | undefined;
  /** `Decode_Field_As escaped log do_next`; several lines allowed. */
  decode_field_as?: string | string[] | undefined;
  /** Ordered decoder rules (preferred over the two keys above when order across them matters). */
  decoders?: DecoderRule[] | undefined;
}

export interface ParserOptions {
  /** Clock in milliseconds, for formats without a year (they take the current year). Default Date.now. */
  now?: (() => number) | undefined;
}
