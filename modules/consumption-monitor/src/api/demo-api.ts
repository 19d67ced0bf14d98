import type { ModuleContext } from 'nxforge/module';
import { DemoDevicesError, type DemoDevices } from '../demo/demo-devices.js';

/** `/demo-devices` of the JSON API: add (201 with how many) or remove them with their endpoints and readings. */
export function registerDemoApi(ctx: ModuleContext, demo: DemoDevices): void {
  ctx.api.post('/demo-devices', async (request) => {
    request.status = 201;
    request.body = { added: await addDemoDevices(ctx, demo) };
  });
  ctx.api.delete('/demo-devices', async (request) => {
    request.body = { removed: await demo.remove() };
  });
}

/** Adds the demo devices; one that cannot start (or a name taken) is a 409 saying why, with nothing added. */
export async function addDemoDevices(ctx: ModuleContext, demo: DemoDevices): Promise<number> {
  try {
    return await demo.add();
  } catch (error) {
    if (error instanceof DemoDevicesError) ctx.fail(409, error.code, error.message);
    throw error;
  }
}
