// The forward output (Fluent Bit `out_forward`): chunks to Forward servers, with acks, gzip, TLS,
// the shared-key handshake and Upstream failover/round robin. See README.md.
export { ForwardOutput, createForwardOutput } from './output.ts';
export {
  DEFAULT_ACK_TIMEOUT_MS,
  DEFAULT_NODE_RETRY_BASE_MS,
  DEFAULT_NODE_RETRY_MAX_MS,
  forwardOutputConfig,
} from './config.ts';
export type { ForwardConfigOptions } from './config.ts';
export { ForwardConnection, ForwardSendError } from './connection.ts';
export type { ConnectionLimits, ConnectionTarget, ForwardErrorKind } from './connection.ts';
export { ForwardEncoder } from './encode.ts';
export type { EncodeSettings, EncodedChunk } from './encode.ts';
export { NodeRotation, parseUpstream, readUpstreamFile } from './upstream.ts';
export type { Overrides, RotationOptions, Upstream, UpstreamNode } from './upstream.ts';
export { tlsConnectOptions } from './tls.ts';
export type { ForwardNode, ForwardOutputConfig, ForwardSettings, TlsSettings } from './types.ts';
