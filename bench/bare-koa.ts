import Koa from 'koa';

/**
 * The baseline of bench:http: the smallest Koa app, on the port given as first argument. With a second argument,
 * each request first keeps the CPU busy for that many microseconds: bench:http's calibration uses it to show what
 * throughput this machine gives a server that does a known amount of work per request.
 */
const busyMicroseconds = Number(process.argv[3] ?? 0);
const app = new Koa();
app.use((ctx) => {
  const until = performance.now() + busyMicroseconds / 1000;
  while (performance.now() < until); // the work being simulated
  ctx.body = 'Hello, world';
});
const server = app.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
