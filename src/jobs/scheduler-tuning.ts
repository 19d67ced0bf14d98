/** Timings and limits; the defaults suit production, tests shorten them. */
export interface SchedulerTuning {
  /** Timeout of a job whose manifest gives none (default 10 minutes). */
  defaultTimeoutMs?: number;
  /** How long an aborted handler has before its worker is terminated (default 2 s). */
  abortGraceMs?: number;
  /** How long a running execution may finish when its module is disabled (default 10 s). */
  unmountGraceMs?: number;
  /** The same at shutdown (default 10 s). */
  shutdownGraceMs?: number;
  /** First retry delay; each further one doubles (default 5 s, at most `retryMaxMs`, default 5 minutes). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How often executions left by stopped processes are looked for (default 60 s). */
  sweepIntervalMs?: number;
  /** Heap limit of a job's worker in MB (default 256): beyond it the job fails, the server keeps running. */
  workerHeapMb?: number;
}

/** The tuning with its defaults filled in. */
export function resolveTuning(tuning: SchedulerTuning = {}): Required<SchedulerTuning> {
  return {
    defaultTimeoutMs: tuning.defaultTimeoutMs ?? 600_000,
    abortGraceMs: tuning.abortGraceMs ?? 2_000,
    unmountGraceMs: tuning.unmountGraceMs ?? 10_000,
    shutdownGraceMs: tuning.shutdownGraceMs ?? 10_000,
    retryBaseMs: tuning.retryBaseMs ?? 5_000,
    retryMaxMs: tuning.retryMaxMs ?? 300_000,
    sweepIntervalMs: tuning.sweepIntervalMs ?? 60_000,
    workerHeapMb: tuning.workerHeapMb ?? 256,
  };
}
