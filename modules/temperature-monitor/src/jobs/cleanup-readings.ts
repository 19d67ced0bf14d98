import type { JobContext, JobResult } from 'nxforge/module';
import { readSettings, rollupRetentionDays } from '../settings.js';
import { createReadingStore } from '../store/reading-store.js';
import { createSql } from '../store/sql.js';

const day = 24 * 3600 * 1000;

/**
 * `cleanup-readings`, daily: removes raw readings older than `rawRetentionDays` and hourly rollups older than two
 * years. Trends over longer ranges read the rollups, so nothing shown is lost with the raw readings.
 */
export async function handler(context: JobContext): Promise<JobResult> {
  const { rawRetentionDays } = readSettings(context.settings);
  const now = Date.now();
  const rawBefore = new Date(now - rawRetentionDays * day);
  const rollupsBefore = new Date(now - rollupRetentionDays * day);
  const removed = await createReadingStore(createSql(context.db)).cleanup(rawBefore, rollupsBefore);
  context.logger.info(
    `removed ${removed.readings} raw readings before ${rawBefore.toISOString()} and ${removed.rollups} rollups`,
  );
  return {
    success: true,
    data: { ...removed, rawBefore: rawBefore.toISOString(), rollupsBefore: rollupsBefore.toISOString() },
  };
}
