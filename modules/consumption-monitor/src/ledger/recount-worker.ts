import { parentPort } from 'node:worker_threads';
import { countRecount, type RecountPlan } from './count-recount.js';

/**
 * The recount thread (recount-thread.ts): each message is a plan, each answer its counted recount, in the order
 * asked, its COPY rows handed over without a copy.
 */
parentPort?.on('message', (plan: RecountPlan) => {
  try {
    const counted = countRecount(plan);
    const { readings, intervals, hours } = counted;
    parentPort?.postMessage({ counted }, [readings.buffer, intervals.buffer, hours.buffer]);
  } catch (error) {
    parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
