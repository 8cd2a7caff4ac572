// Builds es outputs from real config text, so tests see the registry's defaults and typing.
import { silentLogger } from '../../../common/log/logger.ts';
import type { Logger, LogFields } from '../../../common/log/logger.ts';
import { loadOk } from '../../config/test-helpers.ts';
import type { AgentConfig, RoutedInstance } from '../../config/types.ts';
import type { Chunk, LogEvent } from '../../engine/types.ts';
import { esOptionsFromConfig } from './config.ts';
import type { EsOptions } from './config.ts';
import { EsOutput } from './output.ts';

/** `[OUTPUT] Name es` with `keys` (Fluent Bit spelling), loaded through agent/config. */
export function esLoaded(keys: Readonly<Record<string, string | number>>): {
  config: AgentConfig;
  instance: RoutedInstance;
} {
  const lines = Object.entries(keys).map(([k, v]) => `    ${k} ${v}`);
  const text = ['[INPUT]', '    Name tcp', '[OUTPUT]', '    Name es', '    Match *', ...lines, ''].join('\n');
  const config = loadOk({ 'fluent-bit.conf': text }, 'fluent-bit.conf');
  const instance = config.outputs[0];
  if (instance === undefined) throw new Error('no output loaded');
  return { config, instance };
}

export function esInstance(keys: Readonly<Record<string, string | number>>): RoutedInstance {
  return esLoaded(keys).instance;
}

export function esOptions(keys: Readonly<Record<string, string | number>>): EsOptions {
  return esOptionsFromConfig(esInstance(keys).values);
}

export interface LogEntry {
  level: string;
  message: string;
  fields: LogFields | undefined;
}

/** A logger that keeps what it was told. */
export function recordingLogger(): { logger: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const make = (): Logger => ({
    debug: (message, fields) => entries.push({ level: 'debug', message, fields }),
    info: (message, fields) => entries.push({ level: 'info', message, fields }),
    warn: (message, fields) => entries.push({ level: 'warn', message, fields }),
    error: (message, fields) => entries.push({ level: 'error', message, fields }),
    child: () => make(),
  });
  return { logger: make(), entries };
}

export function esOutput(
  keys: Readonly<Record<string, string | number>>,
  logger: Logger = silentLogger,
): EsOutput {
  const instance = esInstance(keys);
  return new EsOutput(instance.instanceName, esOptionsFromConfig(instance.values), logger);
}

export function chunkOf(
  tag: string,
  records: readonly Record<string, unknown>[],
  sec = 1_704_164_645,
): Chunk {
  const events: LogEvent[] = records.map((record, i) => ({ sec, nsec: 123_456_789 + i, record }));
  return { tag, events, bytes: 100 * records.length };
}
