import { startBenchBmc } from './fake-redfish.js';

/**
 * The bench's BMCs in a process of their own (forked by bench:temperature), so that serving them does not share
 * the event loop of the process that measures: `node bmc-farm.js <hosts> <sensors>` posts `{urls}` once
 * listening, and answers `requests` with the count of requests served so far.
 */
const [hosts, sensors] = process.argv.slice(2).map(Number) as [number, number];
const bmcs = await Promise.all(Array.from({ length: hosts }, () => startBenchBmc(sensors)));
process.on('message', (message) => {
  if (message === 'requests') process.send?.({ requests: bmcs.reduce((sum, bmc) => sum + bmc.requests(), 0) });
});
process.on('disconnect', () => void Promise.all(bmcs.map((bmc) => bmc.close())).then(() => process.exit(0)));
process.send?.({ urls: bmcs.map((bmc) => bmc.url) });
