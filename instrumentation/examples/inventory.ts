// The inventory example service. With tracing, logs and audit:
//   OTEL_SERVICE_NAME=inventory node --import @tributary/instrumentation/register instrumentation/examples/inventory.ts
import { createInventoryApp } from './apps.ts';
import { exampleMode, exampleWorkMicros, instrumentation, listen } from './serve.ts';

const app = createInventoryApp(await instrumentation(exampleMode(), true), exampleWorkMicros());
await listen('inventory', app, 3001);
