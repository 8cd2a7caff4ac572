// Every plugin the agent can run, by Fluent Bit name. The config registry (config/registry.ts)
// lists the same names with their keys; a test checks the two agree. Plugins are loaded only when
// a config uses them: the es output and the kubernetes filter bring HTTP clients that an agent
// which only forwards should not carry in memory.
import type { AgentConfig } from './config/types.ts';
import type { PluginFactories } from './engine/engine.ts';
import type { FilterFactory, InputFactory, OutputFactory } from './engine/types.ts';

type Loaders<F> = Readonly<Record<string, () => Promise<F>>>;

export const INPUT_LOADERS: Loaders<InputFactory> = {
  tail: async () => (await import('./inputs/tail/plugin.ts')).createTailInput,
  tcp: async () => (await import('./inputs/tcp/plugin.ts')).createTcpInput,
  forward: async () => (await import('./inputs/forward/plugin.ts')).createForwardInput,
};

export const FILTER_LOADERS: Loaders<FilterFactory> = {
  kubernetes: async () => (await import('./filters/kubernetes/index.ts')).createKubernetesFilter,
  modify: async () => (await import('./filters/modify/index.ts')).createModifyFilter,
  grep: async () => (await import('./filters/grep/index.ts')).createGrepFilter,
  rewrite_tag: async () => (await import('./filters/rewrite-tag/index.ts')).createRewriteTagFilter,
};

export const OUTPUT_LOADERS: Loaders<OutputFactory> = {
  forward: async () => (await import('./outputs/forward/index.ts')).createForwardOutput,
  es: async () => (await import('./outputs/es/index.ts')).createEsOutput,
  stdout: async () => (await import('./outputs/stdout/output.ts')).createStdoutOutput,
  null: async () => (await import('./outputs/null/output.ts')).createNullOutput,
};

async function pick<F>(
  loaders: Loaders<F>,
  names: readonly string[] | undefined,
): Promise<Record<string, F>> {
  const out: Record<string, F> = {};
  for (const name of names ?? Object.keys(loaders)) {
    const load = loaders[name];
    if (load !== undefined) out[name] = await load();
  }
  return out;
}

/** The factories `config` needs (every plugin when no config is given). */
export async function loadPluginFactories(config?: AgentConfig): Promise<PluginFactories> {
  return {
    inputs: await pick(
      INPUT_LOADERS,
      config?.inputs.map((i) => i.name),
    ),
    filters: await pick(
      FILTER_LOADERS,
      config?.filters.map((f) => f.name),
    ),
    outputs: await pick(
      OUTPUT_LOADERS,
      config?.outputs.map((o) => o.name),
    ),
  };
}
