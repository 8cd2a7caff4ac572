// The orders example service; calls inventory at INVENTORY_URL (default http://127.0.0.1:3001):
//   OTEL_SERVICE_NAME=orders node --import @tributary/instrumentation/register instrumentation/examples/orders.ts
import { createOrdersApp } from './apps.ts';
import { exampleMode, instrumentation, listen } from './serve.ts';

const inventoryUrl = process.env['INVENTORY_URL'] ?? 'http://127.0.0.1:3001';
const app = createOrdersApp(inventoryUrl, await instrumentation(exampleMode(), false));
await listen('orders', app, 3000);
