// The agent's parsers: Fluent-Bit-compatible json, regex and logfmt parsers,
// the parsers of Fluent Bit's parsers.conf, and multiline parsers (built-in
// docker, cri, go, python, java, and custom rules). See README.md.

export { ParseError, ParserConfigError, isParseError } from './errors.ts';
export type {
  DecoderAction,
  DecoderBackend,
  DecoderRule,
  EventTime,
  JsonFastPath,
  ParseResult,
  Parser,
  ParserDefinition,
  ParserFormat,
  ParserOptions,
} from './types.ts';
export { createParser } from './parser.ts';
export { BUILTIN_PARSERS, BUILTIN_PARSER_DEFINITIONS, getBuiltinParser } from './builtin.ts';
export {
  BUILTIN_MULTILINE_PARSERS,
  MultilineConfigError,
  createMultilineParser,
  parseRuleLine,
} from './multiline.ts';
export type {
  BuiltinMultilineName,
  MultilineDefinition,
  MultilineFactory,
  MultilineOptions,
  MultilineParser,
  MultilineRule,
} from './multiline.ts';
export {
  SUPPORTED_DIRECTIVES,
  TimeFormatError,
  compileTimeFormat,
  parseTimeOffset,
  type TimeFormat,
  type TimeFormatOptions,
} from './strptime.ts';
export { parseTypes, type CastType } from './typecast.ts';
export { JsonToMsgpack, MAX_DEPTH as MAX_JSON_DEPTH, cutFound, jsonDeeperThan } from './json-msgpack.ts';
export type { TranscodeResult } from './json-msgpack.ts';
