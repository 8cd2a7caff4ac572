import { ConfigError } from '../../common/config/index.ts';
import type { AgentConfigIssue } from './types.ts';

/**
 * Every agent config problem, all at once. Extends the shared `ConfigError` so the CLI
 * prints agent and collector config errors the same way; `issues` carry `key` as well.
 */
export class AgentConfigError extends ConfigError {
  declare readonly issues: readonly AgentConfigIssue[];

  constructor(issues: readonly AgentConfigIssue[]) {
    super(sortIssues(issues));
    this.name = 'AgentConfigError';
  }
}

function sortIssues(issues: readonly AgentConfigIssue[]): AgentConfigIssue[] {
  // Stable: file order as first met, then line; so includes read in order stay in order.
  const fileOrder = new Map<string, number>();
  for (const i of issues) if (!fileOrder.has(i.file)) fileOrder.set(i.file, fileOrder.size);
  return [...issues].sort(
    (a, b) => (fileOrder.get(a.file) ?? 0) - (fileOrder.get(b.file) ?? 0) || (a.line ?? 0) - (b.line ?? 0),
  );
}

/** Collects issues while parsing and validating, so one run reports every problem. */
export class Issues {
  readonly list: AgentConfigIssue[] = [];

  add(file: string, line: number | undefined, message: string, key?: string): void {
    this.list.push({
      file,
      ...(line === undefined ? {} : { line }),
      ...(key === undefined ? {} : { key }),
      message,
    });
  }

  get size(): number {
    return this.list.length;
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new AgentConfigError(this.list);
  }
}
