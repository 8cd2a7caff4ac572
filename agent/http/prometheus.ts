// `/api/v1/metrics/prometheus`: the same exposition Fluent Bit's v1 endpoint writes (names, `name`
// label, HELP texts, family order), generated straight from the live snapshot at scrape time.
// Fluent Bit appends the scrape time in milliseconds to every sample; that is left out here (see
// README.md), which Prometheus reads the same.
import type { MetricsSnapshot } from '../engine/types.ts';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4';

type Section = 'input' | 'filter' | 'output';

interface Family {
  section: Section;
  field: string;
  help: string;
}

// Sorted by metric name, as Fluent Bit's qsort over the sample lines leaves them.
const FAMILIES: readonly Family[] = [
  { section: 'filter', field: 'add_records', help: 'Number of records added by the filter.' },
  { section: 'filter', field: 'drop_records', help: 'Number of records dropped by the filter.' },
  { section: 'input', field: 'bytes', help: 'Number of input bytes.' },
  { section: 'input', field: 'records', help: 'Number of input records.' },
  { section: 'output', field: 'dropped_records', help: 'Number of dropped records.' },
  { section: 'output', field: 'errors', help: 'Number of output errors.' },
  { section: 'output', field: 'proc_bytes', help: 'Number of processed output bytes.' },
  { section: 'output', field: 'proc_records', help: 'Number of processed output records.' },
  { section: 'output', field: 'retried_records', help: 'Number of retried records.' },
  {
    section: 'output',
    field: 'retries_failed',
    help: 'Number of abandoned batches because the maximum number of re-tries was reached.',
  },
  { section: 'output', field: 'retries', help: 'Number of output retries.' },
];

/** Prometheus label value escaping: an Alias may hold any character. */
export function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c));
}

function sample(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : '0';
}

export interface PrometheusInfo {
  uptimeSeconds: number;
  startedAtSeconds: number;
  version: string;
}

export function renderPrometheus(snapshot: MetricsSnapshot, info: PrometheusInfo): string {
  let out = '';
  for (const f of FAMILIES) {
    const instances = snapshot[f.section];
    const names = Object.keys(instances).sort();
    if (names.length === 0) continue;
    const metric = `fluentbit_${f.section}_${f.field}_total`;
    out += `# HELP ${metric} ${f.help}\n# TYPE ${metric} counter\n`;
    for (const name of names) {
      const counters = instances[name] as Readonly<Record<string, unknown>> | undefined;
      out += `${metric}{name="${escapeLabel(name)}"} ${sample(counters?.[f.field])}\n`;
    }
  }
  out +=
    '# HELP fluentbit_uptime Number of seconds that Fluent Bit has been running.\n' +
    '# TYPE fluentbit_uptime counter\n' +
    `fluentbit_uptime ${info.uptimeSeconds}\n` +
    '# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n' +
    '# TYPE process_start_time_seconds gauge\n' +
    `process_start_time_seconds ${info.startedAtSeconds}\n` +
    '# HELP fluentbit_build_info Build version information.\n' +
    '# TYPE fluentbit_build_info gauge\n' +
    `fluentbit_build_info{version="${escapeLabel(info.version)}",edition="Community"} 1\n`;
  return out;
}

/** Joins the agent's own exposition with another's (plugin or process metrics), line-safe. */
export function appendExposition(base: string, extra: string): string {
  if (extra === '') return base;
  return base + extra + (extra.endsWith('\n') ? '' : '\n');
}
