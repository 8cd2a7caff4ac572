// Fluent Bit's `kubernetes` filter: pod, namespace, container and container id from the tag; pod
// id, labels, annotations, node, IP and image from the API server (cached); Merge_Log; and the
// `fluentbit.io/parser` / `fluentbit.io/exclude` pod annotations. See ../README.md.
import type { FilterFactory, FilterPlugin, PluginContext } from '../../engine/types.ts';
import type { RoutedInstance } from '../../config/types.ts';
import { readSettings } from './config.ts';
import { KubernetesFilter } from './filter.ts';
import type { KubernetesFilterOptions } from './filter.ts';

export { readSettings } from './config.ts';
export type { KubeSettings } from './config.ts';
export type { KubernetesFilterOptions } from './filter.ts';
export { DEFAULT_TAG_REGEX, TagReader } from './tag.ts';
export type { TagMeta } from './tag.ts';
export { extractHash } from './metadata.ts';

/** The factory with its timing knobs exposed (tests use short timeouts). */
export function createKubernetesFilterWith(
  instance: RoutedInstance,
  ctx: PluginContext,
  options: KubernetesFilterOptions = {},
): FilterPlugin {
  const settings = readSettings(instance, ctx.config.parsers);
  return new KubernetesFilter(
    settings,
    ctx.config.parsers,
    ctx.logger.child({ filter: instance.instanceName }),
    options,
  );
}

export const createKubernetesFilter: FilterFactory = (instance, ctx) =>
  createKubernetesFilterWith(instance, ctx);
