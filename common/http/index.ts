export { bearerTokenSchema, httpListenSchema, httpPortSchema, httpTlsSchema } from './config.ts';
export type { HttpListenConfig } from './config.ts';
export { bearerMatch, closeHttpServer, listenHttp, serveOperations } from './server.ts';
export type { ListenOptions, Operations, OperationsContext } from './server.ts';
