// The agent's filters (agent/plugins.ts maps Fluent Bit names to them). Each factory reads its instance's typed config
// once, throws a config error (file:line, key) for a value it cannot honour, and returns a filter
// whose filter() is synchronous except kubernetes while it asks the API server. See README.md.
export { createGrepFilter } from './grep/index.ts';
export { createKubernetesFilter, createKubernetesFilterWith } from './kubernetes/index.ts';
export type { KubernetesFilterOptions } from './kubernetes/index.ts';
export { createModifyFilter } from './modify/index.ts';
export { createRewriteTagFilter, emitterName } from './rewrite-tag/index.ts';
