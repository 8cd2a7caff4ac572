import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { duration, size } from '../../../common/config/index.ts';
import type { ForwardServerOptions } from '../../../common/forward/index.ts';

/** `receivers.forward` in the collector's config (Fluent Forward protocol v1). */
export const forwardReceiverConfigSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Run the Forward receiver.'),
  listen: z.string().default('0.0.0.0').describe('Address to bind (TCP, and UDP for heartbeats).'),
  port: z.number().int().min(0).max(65535).default(24240).describe('Port (the agent forwards here).'),
  shared_key: z
    .string()
    .min(1)
    .optional()
    .describe('Enables the HELO/PING/PONG shared-key handshake (Fluent Bit `Shared_Key`).'),
  users: z
    .array(z.strictObject({ username: z.string().min(1), password: z.string().min(1) }))
    .default([])
    .describe('Also require a username/password in the handshake (needs `shared_key`).'),
  self_hostname: z.string().optional().describe('Hostname sent in PONG; defaults to the machine hostname.'),
  tls: z
    .strictObject({
      cert_file: z.string().describe('PEM certificate chain.'),
      key_file: z.string().describe('PEM private key.'),
      ca_file: z
        .string()
        .optional()
        .describe('When set, clients must present a certificate signed by this CA.'),
    })
    .optional()
    .describe('Serve Forward over TLS.'),
  max_frame_bytes: size()
    .prefault('64MiB')
    .describe('Largest frame on the wire; the connection is closed past it.'),
  max_record_bytes: size().prefault('8MiB').describe('Largest single record.'),
  max_decompressed_bytes: size()
    .prefault('256MiB')
    .describe('Largest CompressedPackedForward payload once inflated.'),
  max_connections: z
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe('Connections beyond this are refused.'),
  max_inflight_frames: z
    .number()
    .int()
    .min(1)
    .max(1024)
    .default(16)
    .describe(
      'Frames of one connection queued but not yet acked; reading pauses at this many. Lets one connection share fsyncs.',
    ),
  handshake_timeout: duration().prefault('10s').describe('Time a client has to complete the handshake.'),
  idle_timeout: duration().prefault('10m').describe('A connection silent this long is closed.'),
  heartbeat: z.boolean().default(true).describe('Answer Fluentd/Fluent Bit UDP heartbeats on the same port.'),
});

export type ForwardReceiverConfig = z.output<typeof forwardReceiverConfigSchema>;

/** Maps the YAML keys onto the shared Forward server's options (certificates read here, at start). */
export function forwardServerOptions(config: ForwardReceiverConfig): ForwardServerOptions {
  return {
    host: config.listen,
    port: config.port,
    ...(config.shared_key === undefined ? {} : { sharedKey: config.shared_key }),
    users: config.users,
    ...(config.self_hostname === undefined ? {} : { selfHostname: config.self_hostname }),
    ...(config.tls === undefined
      ? {}
      : {
          tls: {
            cert: readFileSync(config.tls.cert_file),
            key: readFileSync(config.tls.key_file),
            ...(config.tls.ca_file === undefined ? {} : { ca: readFileSync(config.tls.ca_file) }),
          },
        }),
    maxFrameBytes: config.max_frame_bytes,
    maxRecordBytes: config.max_record_bytes,
    maxDecompressedBytes: config.max_decompressed_bytes,
    maxConnections: config.max_connections,
    maxInflightFrames: config.max_inflight_frames,
    handshakeTimeoutMs: config.handshake_timeout,
    idleTimeoutMs: config.idle_timeout,
    heartbeat: config.heartbeat,
  };
}
