// The OpenTelemetry SDK packages, loaded with require() when tracing starts rather than imported.
// Two reasons: @opentelemetry/sdk-node loads @grpc/grpc-js (for its OTLP exporters), so it must
// come after the gRPC instrumentation has hooked module loading or gRPC goes uninstrumented; and
// one (CommonJS) copy of each package is loaded instead of the ESM and CJS builds side by side.
import { createRequire } from 'node:module';
import type * as B3 from '@opentelemetry/propagator-b3';
import type * as Core from '@opentelemetry/core';
import type * as Grpc from '@opentelemetry/instrumentation-grpc';
import type * as Http from '@opentelemetry/instrumentation-http';
import type * as Koa from '@opentelemetry/instrumentation-koa';
import type * as Resources from '@opentelemetry/resources';
import type * as SdkNode from '@opentelemetry/sdk-node';
import type * as SdkTrace from '@opentelemetry/sdk-trace';
import type * as Undici from '@opentelemetry/instrumentation-undici';
import type * as Zipkin from '@opentelemetry/exporter-zipkin';

const require = createRequire(import.meta.url);

/** Loads on first call and keeps the result: require() resolves the specifier again on every call. */
function once<T>(id: string): () => T {
  let value: T | undefined;
  return () => (value ??= require(id) as T);
}

export const otel = {
  b3: once<typeof B3>('@opentelemetry/propagator-b3'),
  core: once<typeof Core>('@opentelemetry/core'),
  grpc: once<typeof Grpc>('@opentelemetry/instrumentation-grpc'),
  http: once<typeof Http>('@opentelemetry/instrumentation-http'),
  koa: once<typeof Koa>('@opentelemetry/instrumentation-koa'),
  resources: once<typeof Resources>('@opentelemetry/resources'),
  sdkNode: once<typeof SdkNode>('@opentelemetry/sdk-node'),
  sdkTrace: once<typeof SdkTrace>('@opentelemetry/sdk-trace'),
  undici: once<typeof Undici>('@opentelemetry/instrumentation-undici'),
  zipkin: once<typeof Zipkin>('@opentelemetry/exporter-zipkin'),
};
