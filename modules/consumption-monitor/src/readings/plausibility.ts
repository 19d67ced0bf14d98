/** The last counted reading an endpoint had. */
export interface PreviousReading {
  value: number;
  at: Date;
}

/** What a new value is taken as. */
export interface Judgement {
  status: 'ok' | 'suspect';
  reason: string | null;
  /** A counter that went down by 10 % or more: a meter reset or replacement, counted up from zero. */
  reset: boolean;
}

const glitchShare = 0.1;

/**
 * Judges a value against the endpoint's last ok reading: a value that cannot be right is `suspect`, with the
 * reason, and never counts. Negative values; a counter rise beyond rated power × elapsed time; a counter dip of
 * less than 10 % (a glitch). A larger dip is a reset: ok, flagged.
 */
export function judge(
  kind: 'counter' | 'power',
  value: number,
  previous: PreviousReading | undefined,
  at: Date,
  ratedPowerKw: number | null,
): Judgement {
  const unit = kind === 'counter' ? 'kWh' : 'kW';
  if (value < 0) return { status: 'suspect', reason: `Negative value (${value} ${unit}).`, reset: false };
  if (kind === 'power') {
    if (ratedPowerKw !== null && value > ratedPowerKw) {
      return { status: 'suspect', reason: `${value} kW is above the rated power of ${ratedPowerKw} kW.`, reset: false };
    }
    return { status: 'ok', reason: null, reset: false };
  }
  if (!previous) return { status: 'ok', reason: null, reset: false };
  const hours = Math.max(0, (at.getTime() - previous.at.getTime()) / 3_600_000);
  if (value >= previous.value) {
    const rise = value - previous.value;
    const possible = ratedPowerKw === null ? Number.POSITIVE_INFINITY : ratedPowerKw * hours;
    if (rise > possible) {
      const reason = `A rise of ${fmt(rise)} kWh in ${fmt(hours * 60)} min is more than the rated ${ratedPowerKw} kW can draw (${fmt(possible)} kWh).`;
      return { status: 'suspect', reason, reset: false };
    }
    return { status: 'ok', reason: null, reset: false };
  }
  const dip = previous.value - value;
  if (dip < glitchShare * previous.value) {
    return {
      status: 'suspect',
      reason: `The counter dipped by ${fmt(dip)} kWh (less than 10 %): a glitch, not a reset.`,
      reset: false,
    };
  }
  return { status: 'ok', reason: `Meter reset or replaced: ${fmt(previous.value)} → ${fmt(value)} kWh.`, reset: true };
}

function fmt(value: number): string {
  return Number(value.toFixed(3)).toString();
}
