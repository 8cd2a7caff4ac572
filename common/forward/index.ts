// Fluent Forward protocol v1: codec, stream splitter, handshake and server. See README.md.
export { ForwardProtocolError } from './errors.ts';
export type { ForwardErrorKind } from './errors.ts';
export { EventTime, decodeEventTime, encodeEventTime } from './event-time.ts';
export type { EntryInput, ForwardEntry } from './entry.ts';
export type { ForwardRecord } from './record.ts';
export type { ForwardCompression, ForwardOptions } from './options.ts';
export type { DecodeLimits } from './limits.ts';
export {
  DEFAULT_DECODE_LIMITS,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_RECORD_BYTES,
} from './limits.ts';
export { ForwardFrame, decodeFrame, decodeFrameAsync, parseEventStream } from './frame.ts';
export type { ForwardMode } from './frame.ts';
export { encodeMessage } from './message.ts';
export { encodeForward } from './forward.ts';
export { encodeCompressedPackedForward, encodeEventStream, encodePackedForward } from './packed-forward.ts';
export { FrameSplitter } from './frame-splitter.ts';
export type { FrameSplitterOptions } from './frame-splitter.ts';
export { MsgpackScanner, skipValue } from './msgpack-scan.ts';
export { decodeAck, encodeAck } from './ack.ts';
export {
  ClientHandshake,
  ServerHandshake,
  decodeHelo,
  decodePing,
  decodePong,
  encodeHelo,
  encodePing,
  encodePong,
  sha512Hex,
} from './handshake.ts';
export type {
  ClientHandshakeConfig,
  ForwardUser,
  Helo,
  Ping,
  PingVerdict,
  Pong,
  ServerHandshakeConfig,
} from './handshake.ts';
export { HeartbeatResponder } from './heartbeat.ts';
export { FORWARD_SERVER_OPTIONS, resolveServerConfig } from './config.ts';
export type { ForwardServerConfig, ForwardServerOptions, ForwardTlsOptions } from './config.ts';
export { ForwardServer } from './server.ts';
export type {
  ForwardFrameHandler,
  ForwardLogger,
  ForwardServerErrorKind,
  ForwardServerInit,
  ForwardServerStats,
  ForwardSource,
  LogFields,
} from './server.ts';
export { newChunkId } from './chunk-id.ts';
export { MsgpackWriter } from './msgpack-writer.ts';
