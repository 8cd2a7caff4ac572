// The kubernetes filter's settings, read once from the instance's typed values (defaults applied by
// the config registry). Cross-checks the registry cannot make (a URL's scheme, a parser's format)
// fail here with the file, line and key.
import type { ParserDefinition, RoutedInstance } from '../../config/types.ts';
import { keyError } from '../common/errors.ts';

export interface KubeSettings {
  readonly apiUrl: URL;
  readonly caFile: string | undefined;
  readonly caPath: string | undefined;
  readonly tokenFile: string;
  readonly tokenTtlMs: number;
  readonly tlsVerify: boolean;
  readonly tlsVhost: string | undefined;
  /** Largest API response in bytes; 0 = no limit. */
  readonly bufferSize: number;
  readonly tagPrefix: string;
  /** Regex_Parser's definition, when set (else the default file-name regex). */
  readonly regexParser: ParserDefinition | undefined;
  readonly mergeLog: boolean;
  readonly mergeParser: string | undefined;
  readonly mergeLogKey: string | undefined;
  readonly mergeLogTrim: boolean;
  readonly keepLog: boolean;
  readonly labels: boolean;
  readonly annotations: boolean;
  readonly k8sLoggingParser: boolean;
  readonly k8sLoggingExclude: boolean;
  readonly useKubelet: boolean;
  readonly kubeletUrl: URL;
  /** 0 = entries never expire. */
  readonly podCacheTtlMs: number;
  readonly namespaceCacheTtlMs: number;
  readonly preloadCacheDir: string | undefined;
  readonly namespaceLabels: boolean;
  readonly namespaceAnnotations: boolean;
  readonly namespaceMetadataOnly: boolean;
  readonly ownerReferences: boolean;
  readonly cacheUseDockerId: boolean;
  readonly useTagForMeta: boolean;
  readonly dummyMeta: boolean;
}

function str(instance: RoutedInstance, key: string): string | undefined {
  const v = instance.values[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function bool(instance: RoutedInstance, key: string, dflt: boolean): boolean {
  const v = instance.values[key];
  return typeof v === 'boolean' ? v : dflt;
}

function num(instance: RoutedInstance, key: string, dflt: number): number {
  const v = instance.values[key];
  return typeof v === 'number' ? v : dflt;
}

function url(instance: RoutedInstance, key: string, text: string): URL {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw keyError(instance, key, `\`${text}\` is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw keyError(instance, key, `\`${text}\`: the scheme must be http or https`);
  }
  return u;
}

function parserNamed(
  instance: RoutedInstance,
  parsers: readonly ParserDefinition[],
  key: string,
): ParserDefinition | undefined {
  const name = str(instance, key);
  if (name === undefined) return undefined;
  const def = parsers.find((p) => p.name === name);
  if (def === undefined) {
    const known = parsers.map((p) => p.name).join(', ');
    throw keyError(instance, key, `no parser named \`${name}\` (parsers: ${known})`);
  }
  return def;
}

export function readSettings(instance: RoutedInstance, parsers: readonly ParserDefinition[]): KubeSettings {
  const apiUrl = url(instance, 'kube_url', str(instance, 'kube_url') ?? 'https://kubernetes.default.svc:443');
  const regexParser = parserNamed(instance, parsers, 'regex_parser');
  if (regexParser !== undefined && (regexParser.format !== 'regex' || regexParser.regex === undefined)) {
    throw keyError(
      instance,
      'regex_parser',
      `parser \`${regexParser.name}\` is \`Format ${regexParser.format}\`; Regex_Parser needs a regex parser with named groups`,
    );
  }
  const mergeParser = parserNamed(instance, parsers, 'merge_parser')?.name;
  const kubeletHost = str(instance, 'kubelet_host') ?? '127.0.0.1';
  const kubeletPort = num(instance, 'kubelet_port', 10250);
  // The kubelet API is always HTTPS, with the same CA and verification as the API server.
  const kubeletUrl = url(
    instance,
    'kubelet_host',
    `https://${kubeletHost.includes(':') ? `[${kubeletHost}]` : kubeletHost}:${kubeletPort}`,
  );
  return {
    apiUrl,
    caFile: str(instance, 'kube_ca_file'),
    caPath: str(instance, 'kube_ca_path'),
    tokenFile: str(instance, 'kube_token_file') ?? '/var/run/secrets/kubernetes.io/serviceaccount/token',
    tokenTtlMs: num(instance, 'kube_token_ttl', 600) * 1000,
    tlsVerify: bool(instance, 'tls.verify', true),
    tlsVhost: str(instance, 'tls.vhost'),
    bufferSize: num(instance, 'buffer_size', 32_000),
    tagPrefix: typeof instance.values.kube_tag_prefix === 'string' ? instance.values.kube_tag_prefix : '',
    regexParser,
    mergeLog: bool(instance, 'merge_log', false),
    mergeParser,
    mergeLogKey: str(instance, 'merge_log_key'),
    mergeLogTrim: bool(instance, 'merge_log_trim', true),
    keepLog: bool(instance, 'keep_log', true),
    labels: bool(instance, 'labels', true),
    annotations: bool(instance, 'annotations', true),
    k8sLoggingParser: bool(instance, 'k8s-logging.parser', false),
    k8sLoggingExclude: bool(instance, 'k8s-logging.exclude', false),
    useKubelet: bool(instance, 'use_kubelet', false),
    kubeletUrl,
    podCacheTtlMs: num(instance, 'kube_meta_cache_ttl', 0) * 1000,
    namespaceCacheTtlMs: num(instance, 'kube_meta_namespace_cache_ttl', 900) * 1000,
    preloadCacheDir: str(instance, 'kube_meta_preload_cache_dir'),
    namespaceLabels: bool(instance, 'namespace_labels', false),
    namespaceAnnotations: bool(instance, 'namespace_annotations', false),
    namespaceMetadataOnly: bool(instance, 'namespace_metadata_only', false),
    ownerReferences: bool(instance, 'owner_references', false),
    cacheUseDockerId: bool(instance, 'cache_use_docker_id', false),
    useTagForMeta: bool(instance, 'use_tag_for_meta', false),
    dummyMeta: bool(instance, 'dummy_meta', false),
  };
}
