import type { Thresholds } from '../thresholds.js';

/** Where a sensor stands against its thresholds. */
export type Level = 'ok' | 'warning' | 'critical';

/** Which threshold a warning or critical level was entered past. */
export type Side = 'upper' | 'lower';

/** What the machine remembers of a sensor between readings (stored with the sensor). */
export interface SensorMemory {
  /** The level the sensor is in. */
  level: Level;
  /** The side the current warning or critical level was entered on; null at ok. */
  side: Side | null;
  /** Since when (ISO time) every reading was at or past a warning or critical threshold; null when not. */
  warningSince: string | null;
  /** Since when every reading was at or past a critical threshold; null when not. */
  criticalSince: string | null;
  /** The level last announced (a notice sent): differs from `level` until the next notice. */
  announced: Level;
  /** When the last notice was sent. */
  announcedAt: string | null;
}

/** The module's alert settings, in the units the machine works in. */
export interface AlertPolicy {
  /** °C a reading must come back past a threshold before its level is left. */
  hysteresis: number;
  /** How long a threshold must be passed before its level is entered. */
  minDurationMs: number;
  /** A firing alert is announced again no sooner than this. */
  repeatIntervalMs: number;
}

/** A notice to send: the four events of the module map onto these. */
export type Notice =
  | { kind: 'firing'; severity: 'warning' | 'critical'; previous: Level; repeat: boolean; threshold: number | null }
  | { kind: 'resolved'; previous: Level };

/** A change of level, stored in the alert history. */
export interface Transition {
  from: Level;
  to: Level;
  /** The threshold crossed: the one entered past, or the one (minus hysteresis) come back past. */
  threshold: number | null;
}

/** The outcome of one reading. */
export interface Step {
  memory: SensorMemory;
  transition: Transition | null;
  notice: Notice | null;
  /** The threshold of the level the sensor is at now (its side's warning or critical one); null at ok. */
  threshold: number | null;
}

/** A sensor never read. */
export const initialMemory: SensorMemory = Object.freeze({
  level: 'ok',
  side: null,
  warningSince: null,
  criticalSince: null,
  announced: 'ok',
  announcedAt: null,
});

const rank: Record<Level, number> = { ok: 0, warning: 1, critical: 2 };

/**
 * One reading through a sensor's alert state machine (`ok → warning → critical` and back):
 * - a level is entered once every reading for `minDurationMs` was at or past its threshold;
 * - it is left only when the reading is back past that threshold by `hysteresis` (on the side it was entered on),
 *   so 47 → 41 °C against 42 / 45 with 2 °C leaves critical (41 < 43) for warning (41 > 40), not for ok;
 * - a `null` reading (the sensor or its host could not be read) changes nothing and announces nothing: a host
 *   that does not answer mutes its sensors' notices, repeats included, until it is read again;
 * - notices follow the level: firing when it rises (or first becomes known), resolved when it is back to ok,
 *   firing again (repeat) every `repeatIntervalMs` while it stays up.
 */
export function stepSensor(
  memory: SensorMemory,
  reading: number | null,
  at: Date,
  thresholds: Thresholds,
  policy: AlertPolicy,
): Step {
  if (reading === null)
    return { memory, transition: null, notice: null, threshold: thresholdOf(memory.level, memory.side, thresholds) };
  const now = at.toISOString();
  const breach = breachOf(reading, thresholds);
  const warningSince = breach.level === 'ok' ? null : (memory.warningSince ?? now);
  const criticalSince = breach.level === 'critical' ? (memory.criticalSince ?? now) : null;
  const lasted = (since: string | null) => since !== null && at.getTime() - Date.parse(since) >= policy.minDurationMs;

  const hysteresis = effectiveHysteresis(policy.hysteresis, thresholds);
  const holds = (level: Level) =>
    rank[memory.level] >= rank[level] &&
    memory.side !== null &&
    stillPast(reading, level, memory.side, thresholds, hysteresis);
  const level: Level =
    holds('critical') || lasted(criticalSince)
      ? 'critical'
      : holds('warning') || lasted(warningSince)
        ? 'warning'
        : 'ok';
  // A level kept by hysteresis keeps its side; one entered (or re-entered) by lasting takes the reading's side.
  const side = level === 'ok' ? null : holds(level) ? memory.side : breach.side;

  const transition =
    level === memory.level
      ? null
      : {
          from: memory.level,
          to: level,
          threshold:
            rank[level] > rank[memory.level]
              ? thresholdOf(level, side, thresholds)
              : leftThreshold(memory.level, memory.side, thresholds, hysteresis),
        };
  const next: SensorMemory = { ...memory, level, side, warningSince, criticalSince };
  return announce(next, at, thresholds, policy, transition);
}

/** Decides the notice for the level now known, and records it as announced. */
function announce(
  memory: SensorMemory,
  at: Date,
  thresholds: Thresholds,
  policy: AlertPolicy,
  transition: Transition | null,
): Step {
  const { level, announced } = memory;
  const threshold = thresholdOf(level, memory.side, thresholds);
  const sent = { ...memory, announced: level, announcedAt: at.toISOString() };
  if (level !== announced) {
    const notice: Notice =
      level === 'ok'
        ? { kind: 'resolved', previous: announced }
        : { kind: 'firing', severity: level, previous: announced, repeat: false, threshold };
    return { memory: sent, transition, notice, threshold };
  }
  const due =
    level !== 'ok' &&
    (memory.announcedAt === null || at.getTime() - Date.parse(memory.announcedAt) >= policy.repeatIntervalMs);
  if (!due) return { memory, transition, notice: null, threshold };
  const notice: Notice = {
    kind: 'firing',
    severity: level as 'warning' | 'critical',
    previous: level,
    repeat: true,
    threshold,
  };
  return { memory: sent, transition, notice, threshold };
}

/** The level a reading is at without hysteresis, and on which side. */
export function breachOf(reading: number, t: Thresholds): { level: Level; side: Side | null } {
  const upperCritical = t.upperCritical ?? t.upperFatal;
  if (upperCritical !== null && reading >= upperCritical) return { level: 'critical', side: 'upper' };
  if (t.lowerCritical !== null && reading <= t.lowerCritical) return { level: 'critical', side: 'lower' };
  if (t.upperWarning !== null && reading >= t.upperWarning) return { level: 'warning', side: 'upper' };
  if (t.lowerWarning !== null && reading <= t.lowerWarning) return { level: 'warning', side: 'lower' };
  return { level: 'ok', side: null };
}

/** The threshold of `level` on `side` (an upper critical falls back to the fatal one). */
export function thresholdOf(level: Level, side: Side | null, t: Thresholds): number | null {
  if (level === 'ok' || side === null) return null;
  if (side === 'upper') return level === 'critical' ? (t.upperCritical ?? t.upperFatal) : t.upperWarning;
  return level === 'critical' ? t.lowerCritical : t.lowerWarning;
}

/** Whether a reading is still past `level` on `side` once hysteresis is taken into account. */
function stillPast(reading: number, level: Level, side: Side, t: Thresholds, hysteresis: number): boolean {
  const threshold = thresholdOf(level, side, t);
  if (threshold === null) return false;
  return side === 'upper' ? reading > threshold - hysteresis : reading < threshold + hysteresis;
}

/** The value a reading came back past when it left `level`. */
function leftThreshold(level: Level, side: Side | null, t: Thresholds, hysteresis: number): number | null {
  const threshold = thresholdOf(level, side, t);
  if (threshold === null) return null;
  return side === 'upper' ? threshold - hysteresis : threshold + hysteresis;
}

/**
 * The hysteresis used for a sensor: the setting, but never more than half the gap between its lower and upper
 * entry thresholds, so that coming back from one side cannot take a reading past the other side's threshold
 * (a 25 °C hysteresis on 10 / 30 °C would otherwise never let an upper warning end).
 */
export function effectiveHysteresis(hysteresis: number, t: Thresholds): number {
  const upper = t.upperWarning ?? t.upperCritical ?? t.upperFatal;
  const lower = t.lowerWarning ?? t.lowerCritical;
  if (upper === null || lower === null) return hysteresis;
  return Math.max(0, Math.min(hysteresis, (upper - lower) / 2));
}
