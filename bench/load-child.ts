import { runLoad } from './lib.js';

/**
 * autocannon in a process of its own, for benchmarks whose server runs in the bench's process: the load
 * generator must not share the server's event loop. Argument: JSON `{url, connections, durationSeconds, headers}`;
 * the result is sent to the parent over IPC.
 */
const options = JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof runLoad>[1] & { url: string };
const result = await runLoad(options.url, options);
process.send?.(result);
