// Fluent Bit's `null` output: accepts and discards every chunk (benchmarks, tests, muting a route).
import type { OutputFactory } from '../../engine/types.ts';

export const createNullOutput: OutputFactory = () => ({
  start: () => Promise.resolve(),
  flush: () => Promise.resolve('ok'),
  stop: () => Promise.resolve(),
});
