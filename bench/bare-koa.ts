import Koa from 'koa';

/** The baseline of bench:http: the smallest Koa app, on the port given as argument. */
const app = new Koa();
app.use((ctx) => {
  ctx.body = 'Hello, world';
});
const server = app.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
