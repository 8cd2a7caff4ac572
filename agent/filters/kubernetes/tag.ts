// Pod, namespace, container and container id from the tag, as Fluent Bit reads them: the part after
// Kube_Tag_Prefix searched with the file-name regex (tail turns `/var/log/containers/<pod>_<ns>_
// <container>-<id>.log` into `kube.var.log.containers.<pod>_<ns>_<container>-<id>.log`), or with
// Regex_Parser's regex for custom tags. A chunk carries one tag, so this runs once per chunk, and
// results are remembered per tag.
import type { ParserDefinition } from '../../config/types.ts';
import { compileRubyRegex } from '../../parsers/oniguruma.ts';

/** Fluent Bit's KUBE_TAG_TO_REGEX. */
export const DEFAULT_TAG_REGEX =
  '(?<pod_name>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*)_(?<namespace_name>[^_]+)_(?<container_name>.+)-(?<docker_id>[a-z0-9]{64})\\.log$';

export interface TagMeta {
  readonly podName: string | undefined;
  readonly namespace: string | undefined;
  readonly containerName: string | undefined;
  readonly dockerId: string | undefined;
  readonly containerHash: string | undefined;
}

// Tags are per file, so a node has about as many as it has containers; past this, start over
// rather than grow without bound.
const MAX_TAGS = 4096;

export class TagReader {
  private readonly prefix: string;
  private readonly regex: RegExp;
  private readonly seen = new Map<string, TagMeta | null>();

  constructor(prefix: string, regexParser: ParserDefinition | undefined) {
    this.prefix = prefix;
    this.regex = compileRubyRegex(regexParser?.regex ?? DEFAULT_TAG_REGEX);
  }

  /** The tag's metadata; `undefined` when the tag is not a container log's (the filter leaves it alone). */
  read(tag: string): TagMeta | undefined {
    const known = this.seen.get(tag);
    if (known !== undefined) return known ?? undefined;
    const meta = this.parse(tag);
    if (this.seen.size >= MAX_TAGS) this.seen.clear();
    this.seen.set(tag, meta ?? null);
    return meta;
  }

  private parse(tag: string): TagMeta | undefined {
    // Fluent Bit cuts the prefix's length off without comparing; a tag that does not start with
    // the prefix is not a container log's, so it is left alone here.
    if (tag.length <= this.prefix.length + 1 || !tag.startsWith(this.prefix)) return undefined;
    const m = this.regex.exec(tag.slice(this.prefix.length));
    const g = m?.groups;
    if (g === undefined) return undefined;
    const pick = (name: string): string | undefined => {
      const v = g[name];
      return v === undefined || v === '' ? undefined : v;
    };
    return {
      podName: pick('pod_name'),
      namespace: pick('namespace_name'),
      containerName: pick('container_name'),
      dockerId: pick('docker_id'),
      containerHash: pick('container_hash'),
    };
  }
}
