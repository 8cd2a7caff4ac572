// Shared by the tail tests: temp dirs, a collecting consumer, polling with a deadline.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAgentConfig } from '../../config/load.ts';
import type { InputInstance } from '../../config/types.ts';
import { tailConfigFromValues } from './config.ts';
import type { TailConfig } from './config.ts';
import type { LineBatch } from './reader.ts';
import { TailInput } from './tailer.ts';
import type { TailEvent, TailInputOptions } from './tailer.ts';

export async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tail-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A classic config with one `[INPUT] Name tail` section holding `entries`, and a null output. */
export function tailConfigText(entries: Readonly<Record<string, string>>): string {
  const keys = Object.entries(entries).map(([k, v]) => `    ${k} ${v}\n`);
  return `[INPUT]\n    Name tail\n${keys.join('')}[OUTPUT]\n    Name null\n    Match *\n`;
}

/**
 * The tail input section as the agent loads it from a config file (agent/config): validated,
 * typed, defaults applied.
 */
export function tailInstance(entries: Readonly<Record<string, string>>): InputInstance {
  const dir = mkdtempSync(join(tmpdir(), 'tail-config-'));
  try {
    const path = join(dir, 'agent.conf');
    writeFileSync(path, tailConfigText(entries));
    const input = loadAgentConfig(path, { env: {} }).inputs[0];
    if (input === undefined) throw new Error('no [INPUT] loaded');
    return input;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** TailConfig built the way the agent builds it; quick rescans and rotate waits unless given. */
export function tailConfig(entries: Readonly<Record<string, string>>): TailConfig {
  const input = tailInstance({ Refresh_Interval: '0.05', Rotate_Wait: '0.2', ...entries });
  return tailConfigFromValues(input.values, input.tag);
}

export interface GotLine {
  readonly fileId: string;
  readonly path: string;
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly flags: number;
}

export class Harness {
  readonly lines: GotLine[] = [];
  readonly batches: LineBatch[] = [];
  readonly events: TailEvent[] = [];
  readonly input: TailInput;

  constructor(config: TailConfig, opts: { autoCommit?: boolean; extra?: Partial<TailInputOptions> } = {}) {
    this.input = new TailInput({
      config,
      pollIntervalMs: 20,
      dbFlushIntervalMs: 50,
      ...opts.extra,
      onBatch: (b) => {
        this.batches.push(b);
        for (let i = 0; i < b.count; i++) {
          this.lines.push({
            fileId: b.source.fileId,
            path: b.source.path,
            text: b.text(i),
            start: b.offsetStart(i),
            end: b.offsetEnd(i),
            flags: b.lineFlags(i),
          });
        }
        if (opts.autoCommit === true) this.input.commitBatch(b);
      },
      onEvent: (e) => this.events.push(e),
    });
  }

  texts(): string[] {
    return this.lines.map((l) => l.text);
  }

  commitLine(l: GotLine): void {
    this.input.commit(l.fileId, l.start, l.end);
  }
}

/** Polls `pred` every 10 ms until true; fails with `what` after `ms`. */
export async function waitFor(what: string, pred: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function numbered(prefix: string, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += `${prefix}-${i}\n`;
  return s;
}

export function range(prefix: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(`${prefix}-${i}`);
  return out;
}
