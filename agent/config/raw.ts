/**
 * What both format readers produce before validation: sections of key/value pairs with
 * their file and line, in file order, includes spliced in where they appear.
 */

export type SectionKind = 'service' | 'input' | 'filter' | 'output' | 'parser' | 'multiline_parser';

export interface RawProp {
  /** As written. */
  readonly key: string;
  /** A YAML list gives an array; classic text always a string. */
  readonly value: string | readonly string[];
  readonly file: string;
  readonly line: number;
}

export interface RawSection {
  readonly kind: SectionKind;
  readonly file: string;
  readonly line: number;
  readonly props: RawProp[];
  /**
   * Keys (lower-cased) the reader already reported as malformed, so that validation does
   * not add "missing required key" for the same line's mistake.
   */
  readonly rejected: Set<string>;
}

export interface RawVariable {
  readonly value: string;
  readonly file: string;
  readonly line: number;
}

export interface RawConfig {
  readonly sections: RawSection[];
  /** `@SET` (classic) and `env:` (YAML) variables. */
  readonly variables: Map<string, RawVariable>;
  /** Every file read, in order. */
  readonly files: string[];
}

export function emptyRaw(): RawConfig {
  return { sections: [], variables: new Map(), files: [] };
}

export const SECTION_NAMES: Readonly<Record<string, SectionKind>> = {
  service: 'service',
  input: 'input',
  filter: 'filter',
  output: 'output',
  parser: 'parser',
  multiline_parser: 'multiline_parser',
};

/** Fluent Bit sections Tributary does not implement: named so the error can say so. */
export const UNSUPPORTED_SECTIONS: ReadonlySet<string> = new Set([
  'custom',
  'plugins',
  'upstream',
  'node',
  'stream_task',
  'streams',
]);
