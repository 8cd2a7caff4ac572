// The two example services as plain koa apps. They take their instrumentation as arguments, so the
// benchmark can run exactly the same handlers with the package not loaded at all.
//   orders    GET /orders/:id  -> inventory GET /stock/:sku
//             POST /orders     -> inventory POST /reservations, then audit('order.create')
//   inventory GET /stock/:sku, POST /reservations (audited by the koa middleware)
// Callers identify themselves with x-user-id / x-user-name / x-user-roles (a stand-in for real auth).
import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import type { Context, Middleware } from 'koa';
import { Router, readJson } from './router.ts';

export interface User {
  id: string;
  name?: string;
  roles?: string[];
}

/** What the services need from the instrumentation package; all optional. */
export interface AppInstrumentation {
  middleware?: Middleware[];
  log?: (message: string, fields?: Record<string, unknown>) => void;
  audit?: (event: {
    action: string;
    outcome: 'success' | 'failure';
    actor: User;
    resource: { type: string; id: string };
    reason?: string;
  }) => void;
}

const USER_HEADERS = ['x-user-id', 'x-user-name', 'x-user-roles'] as const;

export function userOf(ctx: Context): User | undefined {
  const id = ctx.get('x-user-id');
  if (id === '') return undefined;
  const name = ctx.get('x-user-name');
  const roles = ctx.get('x-user-roles');
  return {
    id,
    ...(name !== '' ? { name } : {}),
    ...(roles !== '' ? { roles: roles.split(',').map((r) => r.trim()) } : {}),
  };
}

function forwardedUserHeaders(ctx: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of USER_HEADERS) {
    const v = ctx.get(h);
    if (v !== '') headers[h] = v;
  }
  return headers;
}

/**
 * Burns `micros` of CPU per request: stands in for a handler that does real work, so the benchmark
 * can show what the instrumentation costs a service whose requests are not nearly free.
 */
function simulatedWork(micros: number): Middleware {
  return async (_ctx, next) => {
    const until = performance.now() + micros / 1000;
    while (performance.now() < until);
    await next();
  };
}

export function createInventoryApp(inst: AppInstrumentation = {}, workMicros = 0): Koa {
  const app = new Koa();
  app.silent = true; // errors are logged by the instrumentation's middleware
  for (const m of inst.middleware ?? []) app.use(m);
  if (workMicros > 0) app.use(simulatedWork(workMicros));
  const stock = new Map<string, number>();
  const available = (sku: string) => stock.get(sku) ?? 1_000_000_000;
  const router = new Router()
    .on('GET', '/healthz', (ctx) => {
      ctx.body = 'ok';
    })
    .on('GET', '/stock/:sku', (ctx, { sku = '' }) => {
      ctx.body = { sku, available: available(sku) };
    })
    .on('POST', '/reservations', async (ctx) => {
      const body = await readJson(ctx);
      const sku = typeof body['sku'] === 'string' ? body['sku'] : ctx.throw(400, 'sku is required');
      const quantity = Number(body['quantity'] ?? 1);
      if (!Number.isInteger(quantity) || quantity < 1) ctx.throw(400, 'quantity must be a positive integer');
      if (available(sku) < quantity) {
        ctx.status = 409;
        ctx.body = { error: 'insufficient stock', sku };
        return;
      }
      stock.set(sku, available(sku) - quantity);
      ctx.status = 201;
      ctx.body = { reservationId: randomUUID(), sku, quantity };
    });
  app.use(router.middleware());
  return app;
}

export function createOrdersApp(inventoryUrl: string, inst: AppInstrumentation = {}): Koa {
  const app = new Koa();
  app.silent = true;
  for (const m of inst.middleware ?? []) app.use(m);
  const orders = new Map<string, { sku: string; quantity: number }>();
  const router = new Router()
    .on('GET', '/healthz', (ctx) => {
      ctx.body = 'ok';
    })
    .on('GET', '/orders/:id', async (ctx, { id = '' }) => {
      const order = orders.get(id) ?? { sku: `sku-${id}`, quantity: 1 };
      const response = await fetch(`${inventoryUrl}/stock/${encodeURIComponent(order.sku)}`, {
        headers: forwardedUserHeaders(ctx),
      });
      if (!response.ok) ctx.throw(502, `inventory answered ${response.status}`);
      const stock = (await response.json()) as { available: number };
      ctx.body = { id, ...order, inStock: stock.available >= order.quantity };
    })
    .on('POST', '/orders', async (ctx) => {
      const body = await readJson(ctx);
      const user = userOf(ctx);
      if (user === undefined) return ctx.throw(401, 'x-user-id is required');
      const response = await fetch(`${inventoryUrl}/reservations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...forwardedUserHeaders(ctx) },
        body: JSON.stringify({ sku: body['sku'], quantity: body['quantity'] ?? 1 }),
      });
      const id = randomUUID();
      const ok = response.status === 201;
      inst.audit?.({
        action: 'order.create',
        outcome: ok ? 'success' : 'failure',
        actor: user,
        resource: { type: 'order', id },
        ...(ok ? {} : { reason: `inventory answered ${response.status}` }),
      });
      await response.arrayBuffer();
      if (!ok) {
        ctx.status = response.status === 409 ? 409 : 502;
        ctx.body = { error: 'could not reserve stock' };
        return;
      }
      orders.set(id, { sku: String(body['sku']), quantity: Number(body['quantity'] ?? 1) });
      inst.log?.('order created', { 'order.id': id, 'order.sku': body['sku'] });
      ctx.status = 201;
      ctx.body = { id };
    });
  app.use(router.middleware());
  return app;
}
