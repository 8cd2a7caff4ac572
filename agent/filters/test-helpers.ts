// Test helpers: filters built from real classic/YAML configs (so the registry's key tables and
// defaults apply), events, an emit recorder and a logger that keeps what it was told.
import { join } from 'node:path';
import type { LogFields, Logger } from '../../common/log/logger.ts';
import { loadAgentConfig } from '../config/load.ts';
import { tmpConfig } from '../config/test-helpers.ts';
import type { AgentConfig, PropertyValue, RoutedInstance } from '../config/types.ts';
import type { EmitFn, LogEvent, PluginContext } from '../engine/types.ts';

export const DOCS = join(import.meta.dirname, '..', 'config', 'testdata', 'docs');

/** Loads a config from text (classic unless `name` ends in .yaml) with any extra files beside it. */
export function loadConfig(
  text: string,
  extra: Readonly<Record<string, string>> = {},
  name = 'fluent-bit.conf',
  env: Record<string, string> = {},
): AgentConfig {
  const dir = tmpConfig({ [name]: text, ...extra });
  return loadAgentConfig(join(dir, name), { env });
}

export function loadDocs(name: string, env: Record<string, string> = {}): AgentConfig {
  return loadAgentConfig(join(DOCS, name), { env });
}

export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly fields: LogFields;
}

export function recordingLogger(lines: LogLine[] = []): Logger & { readonly lines: LogLine[] } {
  const at =
    (level: string) =>
    (message: string, fields: LogFields = {}): void => {
      lines.push({ level, message, fields });
    };
  const logger = {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (): Logger => logger,
  };
  return logger;
}

export function contextOf(config: AgentConfig, logger: Logger = recordingLogger()): PluginContext {
  return { logger, config };
}

/** The n-th filter of a config (throws when there is none). */
export function filterAt(config: AgentConfig, n = 0): RoutedInstance {
  const f = config.filters[n];
  if (f === undefined) throw new Error(`config has no filter #${n}`);
  return f;
}

export function ev(record: Record<string, unknown>, sec = 1_700_000_000, nsec = 0): LogEvent {
  return { sec, nsec, record };
}

export function records(events: readonly LogEvent[]): Record<string, unknown>[] {
  return events.map((e) => e.record);
}

export function emitRecorder(): { emit: EmitFn; emitted: { tag: string; event: LogEvent }[] } {
  const emitted: { tag: string; event: LogEvent }[] = [];
  return { emit: (tag, event) => emitted.push({ tag, event }), emitted };
}

export const noEmit: EmitFn = () => {
  throw new Error('this filter must not emit');
};

/**
 * The instance with `key`'s values replaced, as if written on `line`: reaches the filters' own
 * checks with values the config loader would already have refused.
 */
export function withValues(
  instance: RoutedInstance,
  key: string,
  values: readonly string[],
  line = 99,
): RoutedInstance {
  const lower = key.toLowerCase();
  const file = instance.file;
  const prop: PropertyValue = {
    key,
    value: values,
    file,
    line,
    occurrences: values.map((value) => ({ value, file, line })),
  };
  const properties = new Map(instance.properties);
  properties.set(lower, prop);
  return { ...instance, properties, values: { ...instance.values, [lower]: values } };
}
