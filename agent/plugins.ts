// Every plugin the agent can run, by Fluent Bit name. The config registry (config/registry.ts)
// lists the same names with their keys; a test checks the two agree.
import type { PluginFactories } from './engine/engine.ts';
import { FILTER_FACTORIES } from './filters/index.ts';
import { createForwardInput } from './inputs/forward/plugin.ts';
import { createTailInput } from './inputs/tail/plugin.ts';
import { createTcpInput } from './inputs/tcp/plugin.ts';
import { createEsOutput } from './outputs/es/index.ts';
import { createForwardOutput } from './outputs/forward/index.ts';
import { createNullOutput } from './outputs/null/output.ts';
import { createStdoutOutput } from './outputs/stdout/output.ts';

export const PLUGIN_FACTORIES: PluginFactories = {
  inputs: { tail: createTailInput, tcp: createTcpInput, forward: createForwardInput },
  filters: FILTER_FACTORIES,
  outputs: {
    null: createNullOutput,
    stdout: createStdoutOutput,
    es: createEsOutput,
    forward: createForwardOutput,
  },
};
