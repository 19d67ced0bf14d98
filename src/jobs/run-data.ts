import { NxfError } from '../errors.js';

/**
 * Checks the data given to a manual run: JSON of at most 64 KB, returned as a plain copy.
 * @throws NxfError NXF_JOB_DATA_INVALID (400).
 */
export function checkRunData(data: unknown): unknown {
  if (data === undefined || data === null) return undefined;
  let json: string;
  try {
    json = JSON.stringify(data);
  } catch {
    throw new NxfError('NXF_JOB_DATA_INVALID', 'The run data must be JSON.', { status: 400 });
  }
  if (Buffer.byteLength(json) > 64 * 1024) {
    throw new NxfError('NXF_JOB_DATA_INVALID', 'The run data must be at most 64 KB of JSON.', { status: 400 });
  }
  return JSON.parse(json) as unknown;
}
