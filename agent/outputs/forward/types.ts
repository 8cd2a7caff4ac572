// The forward output's resolved configuration: what config.ts makes of `[OUTPUT]` (and the Upstream
// file) and what the output, connections and encoder read. Plain data, no I/O.

export interface TlsSettings {
  readonly enabled: boolean;
  readonly verify: boolean;
  readonly caFile: string | undefined;
  readonly caPath: string | undefined;
  readonly crtFile: string | undefined;
  readonly keyFile: string | undefined;
  readonly keyPasswd: string | undefined;
  readonly vhost: string | undefined;
}

/** Per-destination protocol settings: the `[OUTPUT]` keys, which a `[NODE]` may override. */
export interface ForwardSettings {
  readonly sharedKey: string | undefined;
  /** Handshake with `''` as the key, whatever Shared_Key says. */
  readonly emptySharedKey: boolean;
  readonly selfHostname: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly timeAsInteger: boolean;
  readonly sendOptions: boolean;
  readonly requireAck: boolean;
  /** `Compress gzip`. */
  readonly compress: boolean;
  /** Sent instead of each chunk's own tag. */
  readonly tag: string | undefined;
}

/** One destination: the single Host/Port (or Unix_Path), or one `[NODE]` of the Upstream file. */
export interface ForwardNode {
  /** The `[NODE]` name, or `host:port` / the socket path; used in logs. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly unixPath: string | undefined;
  readonly tls: TlsSettings;
  readonly settings: ForwardSettings;
  /** Where the node was defined, for messages about it (its TLS files). */
  readonly file: string;
  readonly line: number;
}

export interface ForwardOutputConfig {
  /** `Upstream`'s `[UPSTREAM] name`; undefined with a single Host/Port. */
  readonly upstreamName: string | undefined;
  readonly nodes: readonly ForwardNode[];
  /** Flushes that may run at once, each with its own connection per node (`Workers`, at least 1). */
  readonly workers: number;
  /** Budget for TCP connect + TLS + shared-key handshake (`net.connect_timeout`). */
  readonly connectTimeoutMs: number;
  /** How long a written frame may wait for the socket write to complete, and then for its ack. */
  readonly ackTimeoutMs: number;
  /** `net.keepalive`: off closes the connection after every flush. */
  readonly keepalive: boolean;
  /** `net.keepalive_idle_timeout`: close a connection idle this long. */
  readonly keepaliveIdleTimeoutMs: number;
  /** `net.keepalive_max_recycle`: close a connection after this many flushes (0: no limit). */
  readonly keepaliveMaxRecycle: number;
  /** A failed node is skipped for this long, doubling per consecutive failure up to `nodeRetryMaxMs`. */
  readonly nodeRetryBaseMs: number;
  readonly nodeRetryMaxMs: number;
}
