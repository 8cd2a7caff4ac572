// The real fluent-logger client, as the Forward interop tests (the agent's forward input, the
// collector's Forward receiver) drive it: acks on, a short flush interval, sub-second EventTime.
import logger from 'fluent-logger';

/** The parts of fluent-logger's sender the tests use; its bundled typings lack `on` and `EventTime`. */
export interface Sender {
  on(event: 'error', listener: (error: Error) => void): void;
  emit(label: string, record: object, time: unknown): void;
  end(label: undefined, record: undefined, callback: () => void): void;
}

export const EventTime = (
  logger as unknown as { EventTime: new (seconds: number, nanoseconds: number) => unknown }
).EventTime;

/** Every event mode fluent-logger can send in. */
export const EVENT_MODES = ['Message', 'PackedForward', 'CompressedPackedForward'] as const;

/** A sender tagging `<tagPrefix>.<label>` that waits for the server's ack on every chunk. */
export function ackedSender(
  tagPrefix: string,
  port: number,
  eventMode: (typeof EVENT_MODES)[number],
): Sender {
  return logger.createFluentSender(tagPrefix, {
    host: '127.0.0.1',
    port,
    eventMode,
    requireAckResponse: true,
    flushInterval: 5,
    ackResponseTimeout: 10_000,
  }) as unknown as Sender;
}

/** Flushes what is buffered (waiting for its acks) and closes the connection. */
export function endSender(sender: Sender): Promise<void> {
  return new Promise<void>((resolve) => sender.end(undefined, undefined, () => resolve()));
}
