// The agent's filters, by Fluent Bit plugin name. Each factory reads its instance's typed config
// once, throws a config error (file:line, key) for a value it cannot honour, and returns a filter
// whose filter() is synchronous except kubernetes while it asks the API server. See README.md.
import type { FilterFactory } from '../engine/types.ts';
import { createGrepFilter } from './grep/index.ts';
import { createKubernetesFilter } from './kubernetes/index.ts';
import { createModifyFilter } from './modify/index.ts';
import { createRewriteTagFilter } from './rewrite-tag/index.ts';

export const FILTER_FACTORIES: Readonly<Record<string, FilterFactory>> = {
  modify: createModifyFilter,
  grep: createGrepFilter,
  rewrite_tag: createRewriteTagFilter,
  kubernetes: createKubernetesFilter,
};

export { createGrepFilter } from './grep/index.ts';
export { createKubernetesFilter, createKubernetesFilterWith } from './kubernetes/index.ts';
export type { KubernetesFilterOptions } from './kubernetes/index.ts';
export { createModifyFilter } from './modify/index.ts';
export { createRewriteTagFilter, emitterName } from './rewrite-tag/index.ts';
