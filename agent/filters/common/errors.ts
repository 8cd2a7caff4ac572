// Filter set-up failures are config errors: they say where the bad value was written (file:line)
// and which key held it, the same way the config loader reports its own findings, so the CLI
// prints both alike.
import { AgentConfigError } from '../../config/errors.ts';
import type { RoutedInstance } from '../../config/types.ts';
import type { Occurrence } from './occurrences.ts';

/** An error for one written value: `file:line: <Key> (<instance>): message`. */
export function ruleError(instance: RoutedInstance, at: Occurrence, message: string): AgentConfigError {
  return new AgentConfigError([
    {
      file: at.file,
      line: at.line,
      key: at.key,
      message: `\`${at.key}\` (filter ${instance.instanceName}): ${message}`,
    },
  ]);
}

/** An error for a key as a whole (its first occurrence), or the section when it was not written. */
export function keyError(instance: RoutedInstance, key: string, message: string): AgentConfigError {
  const p = instance.properties.get(key.toLowerCase());
  return ruleError(
    instance,
    { key: p?.key ?? key, value: '', file: p?.file ?? instance.file, line: p?.line ?? instance.line },
    message,
  );
}
