// Two kinds of failure, deliberately different:
//
// - ParserConfigError: a bad parser *definition* (unknown format, bad regex,
//   unsupported time directive, bad Types). Thrown once, at creation, naming
//   the parser and the key, so a config loader can report file/line.
// - ParseError: a *line* that does not parse. Returned, never thrown: the hot
//   path must not pay for exceptions, and the caller keeps the line as
//   { log: line } (Fluent Bit's behaviour) and counts it.

export class ParserConfigError extends Error {
  readonly parser: string;
  readonly key: string;

  constructor(parser: string, key: string, message: string) {
    super(`parser '${parser}': ${key}: ${message}`);
    this.name = 'ParserConfigError';
    this.parser = parser;
    this.key = key;
  }
}

// Not an Error subclass on purpose: capturing a stack trace per bad line would
// dominate the cost of rejecting it.
export class ParseError {
  readonly reason: string;

  constructor(reason: string) {
    this.reason = reason;
  }
}

export function isParseError(value: unknown): value is ParseError {
  return value instanceof ParseError;
}
