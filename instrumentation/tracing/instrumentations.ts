// Creating an instrumentation hooks module loading at once, so this runs before anything it
// patches is loaded (and before @opentelemetry/sdk-node, which loads @grpc/grpc-js).
import type { KoaLayerType } from '@opentelemetry/instrumentation-koa';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import type { ResolvedConfig } from '../config.ts';
import { otel } from './otel.ts';

type Instrumentation = Exclude<NodeSDKConfiguration['instrumentations'][number], unknown[]>;

export function createInstrumentations(tracing: ResolvedConfig['tracing']): Instrumentation[] {
  const on = tracing.instrumentations;
  const list: Instrumentation[] = [];
  if (on.http) {
    // Outgoing requests only: incoming ones get their server spans from ./http-server.ts.
    const { HttpInstrumentation } = otel.http();
    list.push(new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }));
  }
  if (on.koa) {
    const { KoaInstrumentation } = otel.koa();
    const ignoreLayersType = on.koaMiddlewareSpans ? [] : ['middleware' as KoaLayerType];
    list.push(new KoaInstrumentation({ ignoreLayersType }));
  }
  if (on.undici) {
    const { UndiciInstrumentation } = otel.undici();
    list.push(new UndiciInstrumentation());
  }
  if (on.grpc) {
    const { GrpcInstrumentation } = otel.grpc();
    list.push(new GrpcInstrumentation());
  }
  return list;
}
