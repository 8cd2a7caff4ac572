// The OTEL_TRACES_SAMPLER names. The default, parentbased_traceidratio, keeps a caller's decision
// (so a trace is never cut in half between services) and samples new traces at `sampleRatio`.
import type { Sampler } from '@opentelemetry/sdk-trace';
import type { SamplerName } from '../config.ts';
import { otel } from './otel.ts';

export function createSampler(name: SamplerName, ratio: number): Sampler {
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } = otel.sdkTrace();
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}
