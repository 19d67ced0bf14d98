/** A simulated rack's draw: its mean kW, swinging ±8 % over each hour, as servers' load does. */
export interface DemoRack {
  meanKw: number;
  /** The counter's kWh at `since`. */
  startKwh: number;
  since: Date;
}

const swing = 0.08;
const twoPi = 2 * Math.PI;

/** The draw now, kW. */
export function demoKw(rack: DemoRack, at = new Date()): number {
  const hours = (at.getTime() - rack.since.getTime()) / 3_600_000;
  return rack.meanKw * (1 + swing * Math.cos(twoPi * hours));
}

/** The counter now, kWh: the integral of the draw since `since` (it only ever rises). */
export function demoKwh(rack: DemoRack, at = new Date()): number {
  const hours = (at.getTime() - rack.since.getTime()) / 3_600_000;
  return rack.startKwh + rack.meanKw * (hours + (swing * Math.sin(twoPi * hours)) / twoPi);
}
