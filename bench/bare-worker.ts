import { parentPort } from 'node:worker_threads';

/** The baseline of bench:jobs: a worker thread that only says when it started. */
parentPort?.postMessage(performance.timeOrigin + performance.now());
