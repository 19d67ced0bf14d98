import cronValidate from 'cron-validate';

// A CommonJS module whose function is its `default` export.
const validateCron = cronValidate.default;

/**
 * True for a cron expression the scheduler runs as cron means it: what bree itself accepts when the job is added
 * (5 fields, or 6 with seconds first; numbers, `*`, lists, ranges and steps), with two forms refused because
 * bree's schedule (later) reads them differently from cron: a day of week 7 (later takes it for Saturday, cron for
 * Sunday: write 0), and a day of month together with a day of week (cron runs on either, later only on days that
 * are both). test/jobs/cron-schedule.test.ts compares later's runs with cron's on every accepted form.
 */
export function isSchedulableCron(expression: string): boolean {
  const fields = expression.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 6) return false;
  const result = validateCron(
    expression.trim(),
    fields.length === 6 ? { preset: 'default', override: { useSeconds: true } } : {},
  );
  if (!result.isValid()) return false;
  const { daysOfMonth, daysOfWeek } = result.getValue();
  if (daysOfMonth !== '*' && daysOfWeek !== '*') return false;
  return !daysOfWeek.split(',').some((element) => (element.split('/')[0] ?? '').split('-').includes('7'));
}
