// The tail input's core: discovery, identity, line reading, rotation/truncation, offsets DB.
// Parsers, multiline, record building, routing and outputs sit on top of `onBatch` + `commit`.
export { TailInput } from './tailer.ts';
export type { TailEvent, TailFileState, TailFileStatus, TailInputOptions, TailMetrics } from './tailer.ts';
export { LineBatch, LineSplitter, LINE_NO_NEWLINE, LINE_PARTIAL } from './reader.ts';
export type { BatchSource, LongLineInfo, SplitterOptions } from './reader.ts';
export { CommitTracker } from './commit-tracker.ts';
export { OffsetsDb } from './offsets-db.ts';
export type { DbSync, NewOffsetRow, OffsetRow, OffsetsDbOptions } from './offsets-db.ts';
export { PathMatcher, splitList } from './discovery.ts';
export {
  FINGERPRINT_MAX,
  fingerprintOf,
  formatFileId,
  identityOf,
  lineEventId,
  sameFile,
  sameInode,
} from './identity.ts';
export type { FileIdentity, Fingerprint } from './identity.ts';
export { composeTag, tailConfigFromValues } from './config.ts';
export type { TailConfig } from './config.ts';
export { lineRecord } from './record.ts';
