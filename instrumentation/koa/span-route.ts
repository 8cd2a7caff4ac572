// Names the HTTP server span after the route (`GET /orders/:id` rather than `GET`), as @koa/router
// does through the koa instrumentation: the server span (tracing/http-server.ts) reads the route
// from the RPC metadata it put in the request's context when the response closes. Only ever called
// while a span is active, so the OTel core package is already loaded by then.
import { context } from '@opentelemetry/api';
import { otel } from '../tracing/otel.ts';

export function setServerRoute(route: string): void {
  const { getRPCMetadata, RPCType } = otel.core();
  const metadata = getRPCMetadata(context.active());
  if (metadata?.type === RPCType.HTTP && metadata.route === undefined) metadata.route = route;
}
