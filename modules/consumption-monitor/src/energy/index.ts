/**
 * The energy arithmetic the consumption monitor bills from (docs/billing.md): readings → intervals → shares of
 * time ranges, ledger buckets and calendar months → a month's statement. Pure functions, no database.
 */
export { EnergyInputError, type EnergyErrorCode } from './errors.js';
export {
  HOUR_MS,
  MAX_READING_VALUE,
  MILLIWATT_HOURS_PER_KWH,
  kwhFromMilliwattHours,
  milliwattHoursFromKwh,
} from './units.js';
export { countedReadings, type Reading, type ReadingStatus } from './readings.js';
export { energyBefore, energyBetween, isGap, type EnergyInterval, type IntervalSeries } from './interval.js';
export {
  classifyCounterStep,
  counterInterval,
  counterIntervals,
  type CounterSeries,
  type CounterStep,
} from './counter-intervals.js';
export { powerInterval, powerIntervals } from './power-intervals.js';
export { addTally, sumTallies, tallyRange, type EnergyTally, type TimeRange } from './tally.js';
export { bucketCover, intervalBuckets, splitIntoBuckets, type BucketCover, type EnergyBucket } from './buckets.js';
export { calendarMonth, monthContaining, nextMonth, type CalendarMonth } from './months.js';
export {
  counterBoundaries,
  counterMilliwattHoursAt,
  monthStatement,
  statementFromSeries,
  statementFromTally,
  type CounterBoundaries,
  type EndpointKind,
  type MonthStatement,
  type MonthStatementInput,
} from './statement.js';
