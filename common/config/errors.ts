/** One problem found in a config file, with where it is. */
export interface ConfigIssue {
  /** File path, or the `source` name given with inline text. */
  readonly file: string;
  /** 1-based line; absent when the problem concerns the whole file (unreadable, too big). */
  readonly line?: number;
  /** 1-based column. */
  readonly col?: number;
  /** Dotted key path (`exporters.es.endpoint`, `pipelines[0].name`); absent for file-level problems. */
  readonly path?: string;
  readonly message: string;
}

/** `file:line:col: path: why`, dropping the parts an issue does not have. */
export function formatIssue(issue: ConfigIssue): string {
  let where = issue.file;
  if (issue.line !== undefined) {
    where += `:${issue.line}`;
    if (issue.col !== undefined) where += `:${issue.col}`;
  }
  return issue.path === undefined
    ? `${where}: ${issue.message}`
    : `${where}: ${issue.path}: ${issue.message}`;
}

/**
 * Every config problem is reported through this one class so that callers (the CLI's
 * `validate`, start-up code) can print `issues` without knowing which stage failed.
 */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map(formatIssue);
    const head =
      issues.length === 1 ? 'invalid configuration' : `invalid configuration (${issues.length} problems)`;
    super(`${head}:\n  ${lines.join('\n  ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
