// Which filters and outputs a tag goes through, decided once per distinct tag: Match is a glob or
// regex per instance, and tails tag per file, so the distinct tags are few and repeat constantly.
import type { RoutedInstance } from '../config/types.ts';

export interface Route<F, O> {
  readonly filters: readonly F[];
  readonly outputs: readonly O[];
}

interface Routed {
  readonly instance: RoutedInstance;
}

/** Past this many distinct tags the cache starts over (tags built from record fields can be unbounded). */
const MAX_CACHED_TAGS = 10_000;

export class RouteTable<F extends Routed, O extends Routed> {
  private readonly filters: readonly F[];
  private readonly outputs: readonly O[];
  /** Fluent Bit routes a one-input config to its only output even without Match. */
  private readonly soleOutput: boolean;
  private readonly cache = new Map<string, Route<F, O>>();

  constructor(filters: readonly F[], outputs: readonly O[], singleInput: boolean) {
    this.filters = filters;
    this.outputs = outputs;
    this.soleOutput = singleInput && outputs.length === 1;
  }

  forTag(tag: string): Route<F, O> {
    let route = this.cache.get(tag);
    if (route === undefined) {
      if (this.cache.size >= MAX_CACHED_TAGS) this.cache.clear();
      route = {
        filters: this.filters.filter((f) => f.instance.match?.(tag) === true),
        outputs: this.outputs.filter((o) =>
          o.instance.match === undefined ? this.soleOutput : o.instance.match(tag),
        ),
      };
      this.cache.set(tag, route);
    }
    return route;
  }
}
