// Shared by the forward output's tests: a real ForwardServer on a free port, configs loaded the way
// the agent loads them, and chunks.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ForwardServer } from '../../../common/forward/index.ts';
import type { ForwardFrame, ForwardServerInit, ForwardSource } from '../../../common/forward/index.ts';
import type { LogFields, Logger } from '../../../common/log/logger.ts';
import { loadOk } from '../../config/test-helpers.ts';
import type { AgentConfig, RoutedInstance } from '../../config/types.ts';
import type { Chunk, LogEvent } from '../../engine/types.ts';

export interface Received {
  tag: string;
  sec: number;
  nsec: number;
  record: Record<string, unknown>;
}

export interface Harness {
  server: ForwardServer;
  port: number;
  frames: { frame: ForwardFrame; source: ForwardSource }[];
  /** Every entry received so far, decoded. */
  received(): Received[];
  close(): Promise<void>;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export async function startServer(
  options: Partial<ForwardServerInit> = {},
  onFrame?: ForwardServerInit['onFrame'],
): Promise<Harness> {
  const frames: Harness['frames'] = [];
  const server = new ForwardServer({
    host: '127.0.0.1',
    port: 0,
    selfHostname: 'collector-test',
    logger: quiet,
    ...options,
    onFrame: (frame, source) => {
      frames.push({ frame, source });
      return onFrame === undefined ? Promise.resolve() : onFrame(frame, source);
    },
  });
  const address = await server.start();
  return {
    server,
    port: address.port,
    frames,
    received: () =>
      frames.flatMap(({ frame }) =>
        frame.decodeEntries().map((e) => ({
          tag: e.tag,
          sec: e.time.seconds,
          nsec: e.time.nanoseconds,
          record: e.record,
        })),
      ),
    close: () => server.close(200),
  };
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The first `[OUTPUT]` of a classic config made of `output` (the section body, indented) plus
 * other files written beside it.
 */
export function loadOutput(
  output: string,
  files: Readonly<Record<string, string>> = {},
): { instance: RoutedInstance; config: AgentConfig } {
  const config = loadOk(
    { ...files, 'fluent-bit.conf': `[OUTPUT]\n    Name forward\n    Match *\n${output}` },
    'fluent-bit.conf',
  );
  const instance = config.outputs[0];
  if (instance === undefined) throw new Error('no output loaded');
  return { instance, config };
}

export function chunk(tag: string, events: readonly LogEvent[]): Chunk {
  return { tag, events, bytes: events.length * 32 };
}

export function events(n: number, from = 0): LogEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    sec: 1_700_000_000 + from + i,
    nsec: 123_456_789,
    record: { i: from + i, log: `line ${from + i}`, nested: { ok: true } },
  }));
}

export interface CapturedLog {
  level: string;
  message: string;
  fields: LogFields | undefined;
}

export function captureLogger(into: CapturedLog[]): Logger {
  const at =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      into.push({ level, message, fields });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
