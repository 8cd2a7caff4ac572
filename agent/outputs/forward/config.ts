// Maps a loaded `[OUTPUT] Name forward` section (typed `values`, defaults applied) and its Upstream
// file onto ForwardOutputConfig. The registry has checked each key alone; what is checked here is
// how keys combine, with the file and line of the key at fault.
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Env } from '../../../common/config/index.ts';
import { getBool, getNumber, getString } from '../../config/access.ts';
import { AgentConfigError } from '../../config/errors.ts';
import type { AgentConfigIssue, RoutedInstance } from '../../config/types.ts';
import type { ForwardNode, ForwardOutputConfig, ForwardSettings, TlsSettings } from './types.ts';
import { readUpstreamFile } from './upstream.ts';
import type { Upstream } from './upstream.ts';

/** Fluent Bit has no ack timeout; without one a server that never acks would hold a worker forever. */
export const DEFAULT_ACK_TIMEOUT_MS = 60_000;
export const DEFAULT_NODE_RETRY_BASE_MS = 1_000;
export const DEFAULT_NODE_RETRY_MAX_MS = 30_000;

export interface ForwardConfigOptions {
  /** For `${VAR}` in the Upstream file; `process.env` when absent. */
  env?: Env;
}

export function forwardOutputConfig(
  instance: RoutedInstance,
  mainConfigFile: string,
  options: ForwardConfigOptions = {},
): ForwardOutputConfig {
  const v = instance.values;
  const issues: AgentConfigIssue[] = [];
  const at = (key: string, message: string): void => {
    const p = instance.properties.get(key);
    issues.push({
      file: p?.file ?? instance.file,
      line: p?.line ?? instance.line,
      key: p?.key ?? key,
      message,
    });
  };
  const settings: ForwardSettings = {
    sharedKey: getString(v, 'shared_key'),
    emptySharedKey: getBool(v, 'empty_shared_key') ?? false,
    selfHostname: getString(v, 'self_hostname') ?? 'localhost',
    username: getString(v, 'username'),
    password: getString(v, 'password'),
    timeAsInteger: getBool(v, 'time_as_integer') ?? false,
    sendOptions: getBool(v, 'send_options') ?? false,
    requireAck: getBool(v, 'require_ack_response') ?? false,
    compress: getString(v, 'compress')?.toLowerCase() === 'gzip',
    tag: getString(v, 'tag'),
  };
  const tls: TlsSettings = {
    enabled: getBool(v, 'tls') ?? false,
    verify: getBool(v, 'tls.verify') ?? true,
    caFile: getString(v, 'tls.ca_file'),
    caPath: getString(v, 'tls.ca_path'),
    crtFile: getString(v, 'tls.crt_file'),
    keyFile: getString(v, 'tls.key_file'),
    keyPasswd: getString(v, 'tls.key_passwd'),
    vhost: getString(v, 'tls.vhost'),
  };
  const upstreamPath = getString(v, 'upstream');
  const unixPath = getString(v, 'unix_path');
  if (upstreamPath !== undefined && unixPath !== undefined) {
    at('unix_path', '`Unix_Path` and `Upstream` cannot be used together: Upstream names the servers');
  }
  if (unixPath !== undefined && tls.enabled) {
    at('tls', '`tls` cannot be used with `Unix_Path`: a Unix socket connection is never TLS');
  }
  let nodes: ForwardNode[];
  let upstreamName: string | undefined;
  if (upstreamPath === undefined) {
    const host = getString(v, 'host') ?? '127.0.0.1';
    const port = getNumber(v, 'port') ?? 24224;
    nodes = [
      {
        name: unixPath ?? `${host}:${port}`,
        host,
        port,
        unixPath,
        tls,
        settings,
        file: instance.file,
        line: instance.line,
      },
    ];
    checkSettings(settings, (key, message) => at(key, message));
  } else {
    const file = isAbsolute(upstreamPath) ? upstreamPath : resolve(dirname(mainConfigFile), upstreamPath);
    let upstream: Upstream;
    try {
      upstream = readUpstreamFile(file, options.env);
    } catch (error) {
      if (!(error instanceof AgentConfigError)) throw error;
      throw new AgentConfigError([...issues, ...error.issues]);
    }
    upstreamName = upstream.name;
    nodes = upstream.nodes.map((node) => ({
      name: node.name,
      host: node.host,
      port: node.port,
      unixPath: undefined,
      tls: { ...tls, ...node.tls },
      settings: { ...settings, ...node.settings },
      file,
      line: node.line,
    }));
    for (const node of nodes) {
      checkSettings(node.settings, (key, message) =>
        issues.push({ file, line: node.line, key, message: `[NODE] ${node.name}: ${message}` }),
      );
    }
  }
  if (issues.length > 0) throw new AgentConfigError(issues);
  return {
    upstreamName,
    nodes,
    workers: Math.max(1, getNumber(v, 'workers') ?? 2),
    connectTimeoutMs: Math.round((getNumber(v, 'net.connect_timeout') ?? 10) * 1000),
    ackTimeoutMs: DEFAULT_ACK_TIMEOUT_MS,
    keepalive: getBool(v, 'net.keepalive') ?? true,
    keepaliveIdleTimeoutMs: Math.round((getNumber(v, 'net.keepalive_idle_timeout') ?? 30) * 1000),
    keepaliveMaxRecycle: getNumber(v, 'net.keepalive_max_recycle') ?? 2000,
    nodeRetryBaseMs: DEFAULT_NODE_RETRY_BASE_MS,
    nodeRetryMaxMs: DEFAULT_NODE_RETRY_MAX_MS,
  };
}

/** Combinations Fluent Bit refuses, or accepts and then ignores (which Tributary reports instead). */
function checkSettings(s: ForwardSettings, report: (key: string, message: string) => void): void {
  if (s.compress && s.timeAsInteger) {
    report(
      'compress',
      '`Compress gzip` cannot be used with `Time_as_Integer on` (as in Fluent Bit: old Fluentd reads neither)',
    );
  }
  if (s.tag?.includes('$')) {
    report('tag', '`Tag` with record accessor (`$key`) is not supported: per-record tags need Message mode');
  }
  const handshake = s.sharedKey !== undefined || s.emptySharedKey;
  if (!handshake && (s.username !== undefined || s.password !== undefined)) {
    report(
      s.username !== undefined ? 'username' : 'password',
      '`Username`/`Password` are sent in the shared-key handshake: set `Shared_Key` (or `Empty_Shared_Key on`)',
    );
  }
}
