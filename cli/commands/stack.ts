// `tributary stack ...`: the local real-server stack (Elasticsearch, Kafka, Zipkin).
import { watch } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Argument, type Command } from 'commander';
import { logFileOf, SERVER_NAMES, stackDown, stackStatus, stackUp, tail } from '../stack/stack.ts';
import type { ServerName } from '../stack/server.ts';
import { StackError } from '../stack/settings.ts';

const serversArgument = () =>
  new Argument('[servers...]', 'servers to act on (default: all)').choices(SERVER_NAMES as string[]);

const only = (names: string[]): { only?: ServerName[] } =>
  names.length > 0 ? { only: names as ServerName[] } : {};

const say = (line: string): void => console.log(line);

function fail(error: unknown): never {
  if (error instanceof StackError) {
    console.error(`tributary stack: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

export function registerStackCommands(program: Command): void {
  const stack = program
    .command('stack')
    .description('run the real Elasticsearch 8, Kafka 3.9 and Zipkin 3 servers on 127.0.0.1 (no Docker)');

  stack
    .command('up')
    .description('download (first run), start and wait until every server is healthy; idempotent')
    .addArgument(serversArgument())
    .action(async (names: string[]) => {
      const started = Date.now();
      try {
        await stackUp({ ...only(names), log: say });
      } catch (error) {
        fail(error);
      }
      say(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

  stack
    .command('down')
    .description('stop exactly the server processes `stack up` started; idempotent')
    .addArgument(serversArgument())
    .action(async (names: string[]) => {
      try {
        await stackDown({ ...only(names), log: say });
      } catch (error) {
        fail(error);
      }
    });

  stack
    .command('status')
    .description("print each server's version, port, pid and health; exit code 3 unless all are healthy")
    .addArgument(serversArgument())
    .option('--json', 'machine-readable output')
    .action(async (names: string[], options: { json?: boolean }) => {
      const statuses = await stackStatus(only(names));
      if (options.json) say(JSON.stringify(statuses, null, 2));
      else {
        const rows = statuses.map((s) => [
          s.name,
          s.health?.version ?? s.pinnedVersion,
          `127.0.0.1:${s.port}`,
          s.pid === undefined ? '-' : String(s.pid),
          !s.running
            ? 'stopped'
            : s.health?.healthy
              ? `healthy (${s.health.detail})`
              : `unhealthy (${s.health?.detail ?? ''})`,
        ]);
        const header = ['SERVER', 'VERSION', 'ADDRESS', 'PID', 'HEALTH'];
        const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
        for (const row of [header, ...rows])
          say(
            row
              .map((cell, i) => cell.padEnd(widths[i] ?? 0))
              .join('  ')
              .trimEnd(),
          );
      }
      if (!statuses.every((s) => s.health?.healthy)) process.exitCode = 3;
    });

  stack
    .command('logs')
    .description("print the end of each server's log")
    .addArgument(serversArgument())
    .option('-n, --lines <count>', 'lines per server', (v) => Number.parseInt(v, 10), 40)
    .option('-f, --follow', 'keep printing new lines (one server)')
    .action(async (names: string[], options: { lines: number; follow?: boolean }) => {
      const chosen = names.length > 0 ? (names as ServerName[]) : [...SERVER_NAMES];
      if (options.follow && chosen.length !== 1) fail(new StackError('--follow takes exactly one server'));
      for (const name of chosen) {
        const file = logFileOf(name);
        say(`==> ${name}: ${file} <==`);
        say(await tail(file, options.lines));
      }
      const first = chosen[0];
      if (options.follow && first !== undefined) await follow(logFileOf(first));
    });
}

async function follow(file: string): Promise<never> {
  let offset = (await stat(file)).size;
  const handle = await open(file, 'r');
  const pump = async (): Promise<void> => {
    const { size } = await stat(file);
    if (size < offset) offset = 0;
    if (size === offset) return;
    const buffer = Buffer.alloc(size - offset);
    await handle.read(buffer, 0, buffer.length, offset);
    offset = size;
    process.stdout.write(buffer);
  };
  watch(file, () => void pump());
  return new Promise<never>(() => undefined);
}
