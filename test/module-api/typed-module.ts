import type { ModuleContext, ModuleSetup } from 'nxforge/module';

/** A module written in TypeScript against `nxforge/module`; the test build type-checks it as an author's would be. */
const setup: ModuleSetup = async (ctx: ModuleContext) => {
  ctx.ui.get('/typed', (request) => {
    const greeting: string | number | boolean | undefined = ctx.settings.greeting;
    request.body = ctx.render('home', { title: 'Typed', greeting });
  });
  ctx.logger.info('typed module ready');
  return () => ctx.logger.info('typed module stopped');
};

export default setup;
