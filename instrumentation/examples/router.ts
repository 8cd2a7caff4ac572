// A few lines of routing instead of a router dependency: match `METHOD /path/:param`, put the
// params on ctx.state.params and the route template on ctx.state.route (which the access log uses
// as `http.route`, keeping its cardinality low).
import type { Context, Middleware } from 'koa';

export type Handler = (ctx: Context, params: Record<string, string>) => Promise<void> | void;

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

export class Router {
  readonly #routes: Route[] = [];

  on(method: string, template: string, handler: Handler): this {
    const names: string[] = [];
    const source = template.replace(/:([A-Za-z_]+)/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.#routes.push({ method, template, pattern: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  middleware(): Middleware {
    return async (ctx) => {
      for (const r of this.#routes) {
        if (r.method !== ctx.method) continue;
        const m = r.pattern.exec(ctx.path);
        if (m === null) continue;
        const params: Record<string, string> = {};
        r.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] ?? '')));
        ctx.state['route'] = r.template;
        await r.handler(ctx, params);
        return;
      }
      ctx.status = 404;
      ctx.body = { error: 'not found' };
    };
  }
}

/** The request body as JSON, at most 64 KiB; a bad body is a 400. */
export async function readJson(ctx: Context): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 65_536) ctx.throw(413, 'body too large');
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  return ctx.throw(400, 'expected a JSON object');
}
