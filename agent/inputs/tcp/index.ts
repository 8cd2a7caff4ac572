// The tcp input (Fluent Bit `tcp`): a net server cutting connections into records, Format json
// (concatenated JSON objects) or none (separated lines). The engine hosts it via onRecords +
// pause()/resume().
export { TCP_DEFAULTS, TcpInput, tcpEventId } from './input.ts';
export type {
  TcpBatch,
  TcpCounters,
  TcpErrorKind,
  TcpFormat,
  TcpInputOptions,
  TcpLogEntry,
} from './input.ts';
export { JsonObjectSplitter } from './json-stream.ts';
export type { JsonErrorKind, JsonErrorSink } from './json-stream.ts';
export { SeparatedSplitter } from './separated.ts';
export type { SeparatedErrorSink } from './separated.ts';
export { tcpOptionsFromConfig } from './config.ts';
export type { TcpConfigOptions } from './config.ts';
