// Shared by the engine and agent tests: an output that records what it got and can be told to
// fail, and a way to run an engine from a config string.
import { join } from 'node:path';
import { silentLogger } from '../../common/log/logger.ts';
import { loadAgentConfig } from '../config/load.ts';
import { tmpConfig } from '../config/test-helpers.ts';
import { loadPluginFactories } from '../plugins.ts';
import { Engine } from './engine.ts';
import type { PluginFactories } from './engine.ts';
import type { Chunk, FlushResult, OutputFactory } from './types.ts';

export class RecordingOutput {
  readonly chunks: Chunk[] = [];
  /** What the next flushes answer; `ok` once the list is used up. */
  readonly script: FlushResult[] = [];
  /** While set, every flush answers this (an outage). */
  down: FlushResult | undefined;
  flushes = 0;
  /** Resolves a flush later, to hold chunks in flight. */
  delayMs = 0;

  get records(): Record<string, unknown>[] {
    return this.chunks.flatMap((c) => c.events.map((e) => e.record));
  }

  readonly factory: OutputFactory = () => ({
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    flush: async (chunk) => {
      this.flushes++;
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      const result = this.down ?? this.script.shift() ?? 'ok';
      if (result === 'ok') this.chunks.push(chunk);
      return result;
    },
  });
}

const ALL = await loadPluginFactories();

/** Every plugin, with the `null` output replaced by the recorder. */
export function withRecorder(recorder: RecordingOutput): PluginFactories {
  return { ...ALL, outputs: { ...ALL.outputs, null: recorder.factory } };
}

export async function startEngine(
  files: Readonly<Record<string, string>>,
  factories: PluginFactories,
): Promise<{ engine: Engine; dir: string }> {
  const dir = tmpConfig(files);
  return { engine: await startEngineIn(dir, factories), dir };
}

/** Starts `dir/agent.conf` again (restart tests); `${DIR}` is the directory. */
export function startEngineIn(dir: string, factories: PluginFactories): Promise<Engine> {
  const config = loadAgentConfig(join(dir, 'agent.conf'), { env: { DIR: dir } });
  return Engine.start(config, { logger: silentLogger, factories });
}

export { waitFor } from '../inputs/tail/test-helpers.ts';
