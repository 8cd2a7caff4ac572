import { hostname } from 'node:os';
import type { ForwardUser } from './handshake.ts';
import {
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_RECORD_BYTES,
} from './limits.ts';

/** PEM strings or buffers, as `node:tls` takes them. */
export interface ForwardTlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
  /** When set, clients must present a certificate signed by this CA (mutual TLS). */
  ca?: string | Buffer;
}

/** Everything `ForwardServer` can be configured with; see FORWARD_SERVER_OPTIONS for defaults. */
export interface ForwardServerConfig {
  host: string;
  port: number;
  tls: ForwardTlsOptions | undefined;
  sharedKey: string | undefined;
  users: readonly ForwardUser[];
  selfHostname: string;
  maxFrameBytes: number;
  maxRecordBytes: number;
  maxDecompressedBytes: number;
  maxConnections: number;
  maxInflightFrames: number;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  heartbeat: boolean;
}

export type ForwardServerOptions = Partial<ForwardServerConfig>;

interface OptionSpec {
  name: keyof ForwardServerConfig;
  default: string;
  description: string;
}

/** One table that documents the options (README) and names them in validation errors. */
export const FORWARD_SERVER_OPTIONS: readonly OptionSpec[] = [
  { name: 'host', default: '0.0.0.0', description: 'Address to listen on (TCP, and UDP for heartbeats).' },
  { name: 'port', default: '24224', description: 'Port to listen on; 0 picks a free one.' },
  {
    name: 'tls',
    default: 'off',
    description: '`{key, cert, ca?}` PEM: serve TLS; with `ca`, require client certificates.',
  },
  {
    name: 'sharedKey',
    default: 'off',
    description: 'Enables the HELO/PING/PONG handshake with this shared key.',
  },
  {
    name: 'users',
    default: '[]',
    description: '`[{username, password}]`: also require user authentication (needs `sharedKey`).',
  },
  {
    name: 'selfHostname',
    default: 'os.hostname()',
    description: 'Hostname sent in PONG and hashed into its digest.',
  },
  {
    name: 'maxFrameBytes',
    default: String(DEFAULT_MAX_FRAME_BYTES),
    description: 'Largest frame on the wire; refused as soon as its header shows it.',
  },
  {
    name: 'maxRecordBytes',
    default: String(DEFAULT_MAX_RECORD_BYTES),
    description: 'Largest single record (msgpack map).',
  },
  {
    name: 'maxDecompressedBytes',
    default: String(DEFAULT_MAX_DECOMPRESSED_BYTES),
    description: 'Largest CompressedPackedForward payload once inflated.',
  },
  { name: 'maxConnections', default: '1024', description: 'Connections beyond this are dropped at accept.' },
  {
    name: 'handshakeTimeoutMs',
    default: '10000',
    description: 'Time allowed for the TLS handshake and for the PING after HELO.',
  },
  {
    name: 'idleTimeoutMs',
    default: '300000',
    description:
      'Close a connection silent this long (not counted while its frame is being handled); 0 disables.',
  },
  {
    name: 'maxInflightFrames',
    default: '16',
    description:
      'Frames of one connection handed to the handler and not yet acked; reading pauses at this many. More lets one connection share fsyncs (group commit).',
  },
  {
    name: 'heartbeat',
    default: 'false',
    description: 'Answer UDP heartbeats on the same port, like Fluentd in_forward.',
  },
];

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`forward server option ${name} must be an integer in ${min}..${max}, got ${value}`);
  }
  return value;
}

/** Fills defaults and validates; errors name the option. */
export function resolveServerConfig(options: ForwardServerOptions = {}): ForwardServerConfig {
  const users = options.users ?? [];
  if (users.length > 0 && options.sharedKey === undefined) {
    throw new TypeError(
      'forward server option users needs sharedKey: user authentication is part of the shared-key handshake',
    );
  }
  for (const user of users) {
    if (typeof user.username !== 'string' || user.username === '' || typeof user.password !== 'string') {
      throw new TypeError('forward server option users must be a list of {username, password} strings');
    }
  }
  if (options.sharedKey !== undefined && options.sharedKey === '') {
    throw new TypeError('forward server option sharedKey must not be empty');
  }
  if (options.tls !== undefined && (options.tls.key === undefined || options.tls.cert === undefined)) {
    throw new TypeError('forward server option tls needs key and cert');
  }
  return {
    host: options.host ?? '0.0.0.0',
    port: integerIn('port', options.port ?? 24224, 0, 65535),
    tls: options.tls,
    sharedKey: options.sharedKey,
    users,
    selfHostname: options.selfHostname ?? hostname(),
    maxFrameBytes: integerIn('maxFrameBytes', options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES, 64, 2 ** 31),
    maxRecordBytes: integerIn(
      'maxRecordBytes',
      options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
      16,
      2 ** 31,
    ),
    maxDecompressedBytes: integerIn(
      'maxDecompressedBytes',
      options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
      64,
      2 ** 31,
    ),
    maxConnections: integerIn('maxConnections', options.maxConnections ?? 1024, 1, 1_000_000),
    maxInflightFrames: integerIn('maxInflightFrames', options.maxInflightFrames ?? 16, 1, 1024),
    handshakeTimeoutMs: integerIn('handshakeTimeoutMs', options.handshakeTimeoutMs ?? 10_000, 1, 3_600_000),
    idleTimeoutMs: integerIn('idleTimeoutMs', options.idleTimeoutMs ?? 300_000, 0, 86_400_000),
    heartbeat: options.heartbeat ?? false,
  };
}
