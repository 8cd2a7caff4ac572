// The one interface every collector exporter implements (OpenTelemetry-Collector style: start,
// consume from its own queue cursor, shutdown).
import type { DeliverBatch } from '../pipeline/export-loop.ts';

export interface Exporter {
  /** Also the name of its queue cursor; stable across restarts. */
  readonly name: string;
  readonly batch: { maxBatchRecords: number; maxBatchBytes: number; flushIntervalMs?: number };
  /** Must not block when the destination is down: connecting is the sink's own background work. */
  start(): Promise<void>;
  deliver: DeliverBatch;
  shutdown(): Promise<void>;
}
