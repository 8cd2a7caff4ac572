// Fluent Bit's `stdout` output. `msgpack` (the default) prints Fluent Bit's debugging form
// `[n] tag: [[sec.nsec, {}], {...}]`; `json`, `json_lines` and `json_stream` print JSON with the
// time under json_date_key in json_date_format. A chunk is written with one write() call.
import { getString } from '../../config/access.ts';
import type { LogEvent, OutputFactory } from '../../engine/types.ts';

type DateFormat = 'double' | 'epoch' | 'epoch_ms' | 'iso8601' | 'java_sql_timestamp';

export function formatDate(e: LogEvent, format: DateFormat): number | string {
  switch (format) {
    case 'epoch':
      return e.sec;
    case 'epoch_ms':
      return e.sec * 1000 + Math.floor(e.nsec / 1e6);
    case 'iso8601':
      return (
        new Date(e.sec * 1000).toISOString().slice(0, 19) +
        '.' +
        String(Math.floor(e.nsec / 1000)).padStart(6, '0') +
        'Z'
      );
    case 'java_sql_timestamp':
      return (
        new Date(e.sec * 1000).toISOString().slice(0, 19).replace('T', ' ') +
        '.' +
        String(Math.floor(e.nsec / 1000)).padStart(6, '0')
      );
    default:
      return e.sec + e.nsec / 1e9;
  }
}

export interface StdoutOptions {
  /** Where lines go; process.stdout by default (tests pass their own). */
  readonly write?: (text: string) => Promise<void>;
}

function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) =>
    process.stdout.write(text, (err) => (err ? reject(err) : resolve())),
  );
}

export function stdoutOutput(options: StdoutOptions = {}): OutputFactory {
  return (instance) => {
    const format = (getString(instance.values, 'format') ?? 'msgpack').toLowerCase();
    const dateKeyRaw = getString(instance.values, 'json_date_key') ?? 'date';
    const dateKey = dateKeyRaw.toLowerCase() === 'false' ? undefined : dateKeyRaw;
    const dateFormat = (
      getString(instance.values, 'json_date_format') ?? 'double'
    ).toLowerCase() as DateFormat;
    const write = options.write ?? writeStdout;
    let n = 0;
    const jsonOf = (e: LogEvent): Record<string, unknown> =>
      dateKey === undefined ? e.record : { [dateKey]: formatDate(e, dateFormat), ...e.record };
    return {
      start: () => Promise.resolve(),
      stop: () => Promise.resolve(),
      flush: async (chunk) => {
        let text = '';
        if (format === 'json') {
          text = JSON.stringify(chunk.events.map(jsonOf)) + '\n';
        } else if (format === 'json_lines' || format === 'json_stream') {
          for (const e of chunk.events) text += JSON.stringify(jsonOf(e)) + '\n';
        } else {
          for (const e of chunk.events) {
            const time = `${e.sec}.${String(e.nsec).padStart(9, '0')}`;
            text += `[${n++}] ${chunk.tag}: [[${time}, {}], ${JSON.stringify(e.record)}]\n`;
          }
        }
        await write(text);
        return 'ok';
      },
    };
  };
}

export const createStdoutOutput: OutputFactory = stdoutOutput();
