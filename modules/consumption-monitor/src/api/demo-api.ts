import type { ModuleContext } from 'nxforge/module';
import type { DemoDevices } from '../demo/demo-devices.js';

/** `/demo-devices` of the JSON API: add (201 with how many) or remove them with their endpoints and readings. */
export function registerDemoApi(ctx: ModuleContext, demo: DemoDevices): void {
  ctx.api.post('/demo-devices', async (request) => {
    request.status = 201;
    request.body = { added: await demo.add() };
  });
  ctx.api.delete('/demo-devices', async (request) => {
    request.body = { removed: await demo.remove() };
  });
}
