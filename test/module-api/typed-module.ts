import type { DisplayTheme, IpmiSensor, IpmiTarget, KioskRequest, ModuleContext, ModuleSetup } from 'nxforge/module';

/** A module written in TypeScript against `nxforge/module`; the test build type-checks it as an author's would be. */
const setup: ModuleSetup = async (ctx: ModuleContext) => {
  ctx.ui.get('/typed', (request) => {
    const greeting: string | number | boolean | undefined = ctx.settings.greeting;
    request.body = ctx.render('home', { title: 'Typed', greeting, writable: ctx.can('typed:write') });
  });
  ctx.ui.post('/typed', (request) => {
    ctx.flash('success', 'Saved.');
    request.redirect('/typed');
  });
  ctx.api.get('/bmc', async (request) => {
    const bmc: IpmiTarget = { host: '10.0.9.6', username: 'monitor', password: 'secret', cipherSuite: 3 };
    const rows: IpmiSensor[] = await ctx.services.ipmi.sensors(bmc, { timeoutMs: 5000 });
    if (rows.length === 0) ctx.fail(422, 'TYPED_NO_SENSORS', 'no sensors', { host: bmc.host });
    request.body = { rows };
  });
  // A kiosk page: `state.kiosk` is set when a display asks, with its filter and theme, and there is no user.
  ctx.ui.get('/typed/wall', (request) => {
    const kiosk: KioskRequest | undefined = request.state.kiosk;
    const rack: string | undefined = kiosk?.filter.rack;
    const theme: DisplayTheme | undefined = kiosk?.theme;
    request.body = ctx.render('wall', { title: 'Wall', rack, theme, display: kiosk?.display.name });
  });
  ctx.logger.info('typed module ready');
  return () => ctx.logger.info('typed module stopped');
};

export default setup;
