import { expect } from 'chai';
import {
  effectiveHysteresis,
  initialMemory,
  stepSensor,
  type AlertPolicy,
  type SensorMemory,
  type Step,
} from '../dist/alerts/alert-machine.js';
import { initialHostMemory, stepHost, type HostMemory } from '../dist/alerts/host-machine.js';
import { noThresholds, type Thresholds } from '../dist/thresholds.js';

const t0 = Date.UTC(2026, 10, 26, 6, 0, 0);
const at = (seconds: number) => new Date(t0 + seconds * 1000);
const minutes = (m: number) => m * 60;

/** CPU-like thresholds: warning at 42 °C, critical at 45 °C, none below. */
const cpu: Thresholds = { ...noThresholds, upperWarning: 42, upperCritical: 45, upperFatal: 48 };
/** The module's defaults: 2 °C hysteresis, 120 s minimum duration, 240 min between repeats. */
const defaults: AlertPolicy = { hysteresis: 2, minDurationMs: 120_000, repeatIntervalMs: 240 * 60_000 };

/** Feeds readings `[seconds, °C | null]` through the machine; returns every step. */
function run(
  readings: Array<[number, number | null]>,
  thresholds: Thresholds,
  policy: AlertPolicy,
  start: SensorMemory = initialMemory,
): Step[] {
  const steps: Step[] = [];
  let memory = start;
  for (const [seconds, reading] of readings) {
    const step = stepSensor(memory, reading, at(seconds), thresholds, policy);
    steps.push(step);
    memory = step.memory;
  }
  return steps;
}

/** A step in words: the level, then the notice if any (`firing critical`, `repeat warning`, `resolved`). */
function said(step: Step): string {
  const notice = step.notice;
  if (!notice) return step.memory.level;
  if (notice.kind === 'resolved') return `${step.memory.level}: resolved ${notice.previous}`;
  return `${step.memory.level}: ${notice.repeat ? 'repeat' : 'firing'} ${notice.severity}`;
}

describe('temperature-monitor: the alert state machine', () => {
  it('enters a level only once the reading stayed past its threshold for the minimum duration', () => {
    // 43 °C is past the 42 °C warning at 0 s, 60 s and 120 s: 120 s − 0 s = 120 s ≥ 120 s, so warning at 120 s.
    // 46 °C is past the 45 °C critical from 180 s: critical once 300 s − 180 s = 120 s have passed.
    const steps = run(
      [
        [0, 43],
        [60, 43],
        [120, 44],
        [180, 46],
        [240, 46],
        [300, 47],
      ],
      cpu,
      defaults,
    );
    expect(steps.map(said)).to.deep.equal([
      'ok',
      'ok',
      'warning: firing warning',
      'warning',
      'warning',
      'critical: firing critical',
    ]);
    expect(steps[2]?.transition).to.deep.equal({ from: 'ok', to: 'warning', threshold: 42 });
    expect(steps[5]?.transition).to.deep.equal({ from: 'warning', to: 'critical', threshold: 45 });
    expect(steps[5]?.notice).to.include({ previous: 'warning', threshold: 45 });
  });

  it('a spike shorter than the minimum duration fires nothing, and a dip restarts the count', () => {
    // 50 °C at 0 s and 60 s, 30 °C at 90 s (the count restarts), 50 °C from 150 s: at 200 s only 50 s have passed.
    const steps = run(
      [
        [0, 50],
        [60, 50],
        [90, 30],
        [150, 50],
        [200, 50],
      ],
      cpu,
      defaults,
    );
    expect(steps.map(said)).to.deep.equal(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(steps.every((s) => s.notice === null && s.transition === null)).to.equal(true);
  });

  it('leaves a level only past its threshold minus the hysteresis: 47 → 41 °C leaves critical for warning, not ok', () => {
    const policy = { ...defaults, minDurationMs: 0 };
    // Critical at 47. 44 > 45 − 2 = 43: still critical. 41 ≤ 43 leaves critical, 41 > 42 − 2 = 40 keeps warning.
    // 40.5 > 40: still warning. 40 is not above 40: back to ok.
    const steps = run(
      [
        [0, 47],
        [60, 44],
        [120, 41],
        [180, 40.5],
        [240, 40],
      ],
      cpu,
      policy,
    );
    expect(steps.map(said)).to.deep.equal([
      'critical: firing critical',
      'critical',
      'warning: firing warning',
      'warning',
      'ok: resolved warning',
    ]);
    expect(steps[2]?.transition).to.deep.equal({ from: 'critical', to: 'warning', threshold: 43 });
    expect(steps[2]?.notice).to.include({ kind: 'firing', severity: 'warning', previous: 'critical' });
    expect(steps[4]?.transition).to.deep.equal({ from: 'warning', to: 'ok', threshold: 40 });
  });

  it('works the same below the lower thresholds', () => {
    const intake: Thresholds = {
      ...noThresholds,
      lowerWarning: 10,
      lowerCritical: 5,
      upperWarning: 30,
      upperCritical: 40,
    };
    // 4 ≤ 5: critical. 6 < 5 + 2 = 7: still critical. 7.5 ≥ 7 leaves it; 7.5 < 10 + 2 = 12 keeps warning. 12: ok.
    const steps = run(
      [
        [0, 4],
        [60, 6],
        [120, 7.5],
        [180, 12],
      ],
      intake,
      { ...defaults, minDurationMs: 0 },
    );
    expect(steps.map(said)).to.deep.equal([
      'critical: firing critical',
      'critical',
      'warning: firing warning',
      'ok: resolved warning',
    ]);
    expect(steps[0]?.memory.side).to.equal('lower');
    expect(steps[0]?.transition?.threshold).to.equal(5);
  });

  it('announces a firing alert again no sooner than the repeat interval', () => {
    // Critical at 0 min; repeats at 240 min (240 − 0 ≥ 240) and 480 min, not at 60, 239 or 300 min.
    const steps = run(
      [0, 60, 239, 240, 300, 480].map((m): [number, number] => [minutes(m), 46]),
      cpu,
      { ...defaults, minDurationMs: 0 },
    );
    expect(steps.map(said)).to.deep.equal([
      'critical: firing critical',
      'critical',
      'critical',
      'critical: repeat critical',
      'critical',
      'critical: repeat critical',
    ]);
  });

  it('a host that cannot be read mutes its sensor: no notice, no repeat, until a reading comes again', () => {
    // Firing at 0 min. The host does not answer from 100 to 400 min (null readings): nothing, though 240 min
    // passed. At 401 min it answers, still 46 °C: the repeat is due (401 − 0 ≥ 240) and goes out then.
    const readings: Array<[number, number | null]> = [
      [0, 46],
      ...[100, 200, 300, 400].map((m): [number, null] => [minutes(m), null]),
      [minutes(401), 46],
    ];
    const steps = run(readings, cpu, { ...defaults, minDurationMs: 0 });
    expect(steps.map(said)).to.deep.equal([
      'critical: firing critical',
      'critical',
      'critical',
      'critical',
      'critical',
      'critical: repeat critical',
    ]);
    expect(steps.slice(1, 5).every((s) => s.transition === null && s.notice === null)).to.equal(true);
  });

  it('a host back after an outage resolves at once when its sensor has cooled down meanwhile', () => {
    const steps = run(
      [
        [0, 46],
        [minutes(10), null],
        [minutes(20), 38],
      ],
      cpu,
      { ...defaults, minDurationMs: 0 },
    );
    expect(steps.map(said)).to.deep.equal(['critical: firing critical', 'critical', 'ok: resolved critical']);
    expect(steps[2]?.transition).to.deep.equal({ from: 'critical', to: 'ok', threshold: 43 });
  });

  it('never lets a hysteresis larger than the gap between the sides keep an alert for ever', () => {
    const narrow: Thresholds = { ...noThresholds, lowerWarning: 10, upperWarning: 30 };
    // 25 °C of hysteresis on 10 / 30 °C is cut to half the gap: (30 − 10) / 2 = 10 °C. Warning at 31; 21 > 30 − 10
    // = 20 keeps it; 19.5 ends it (with 25 °C it would need ≤ 5 °C, inside the lower warning).
    expect(effectiveHysteresis(25, narrow)).to.equal(10);
    const steps = run(
      [
        [0, 31],
        [60, 21],
        [120, 19.5],
      ],
      narrow,
      { ...defaults, hysteresis: 25, minDurationMs: 0 },
    );
    expect(steps.map(said)).to.deep.equal(['warning: firing warning', 'warning', 'ok: resolved warning']);
  });

  it('a hysteresis larger than the warning–critical gap leaves critical only below the warning threshold', () => {
    // h = 5 on 42 / 45: leaving critical needs ≤ 40, and then 40 > 42 − 5 = 37 keeps warning; 37 ends it.
    const steps = run(
      [
        [0, 46],
        [60, 41],
        [120, 40],
        [180, 37],
      ],
      cpu,
      { ...defaults, hysteresis: 5, minDurationMs: 0 },
    );
    expect(steps.map(said)).to.deep.equal([
      'critical: firing critical',
      'critical',
      'warning: firing warning',
      'ok: resolved warning',
    ]);
  });

  it('uses the fatal threshold as critical when the device has no critical one', () => {
    const steps = run([[0, 51]], { ...noThresholds, upperFatal: 50 }, { ...defaults, minDurationMs: 0 });
    expect(steps.map(said)).to.deep.equal(['critical: firing critical']);
    expect(steps[0]?.notice).to.include({ threshold: 50 });
  });

  it('a sensor without thresholds never alerts', () => {
    const steps = run(
      [
        [0, 99],
        [600, 120],
      ],
      noThresholds,
      { ...defaults, minDurationMs: 0 },
    );
    expect(steps.map(said)).to.deep.equal(['ok', 'ok']);
  });
});

describe('temperature-monitor: the host_unreachable state machine', () => {
  /** Polls `[seconds, answered]` through the host machine; returns the notices in words. */
  function polls(sequence: Array<[number, boolean]>, policy = defaults): string[] {
    let memory: HostMemory = initialHostMemory;
    return sequence.map(([seconds, answered]) => {
      const step = stepHost(memory, answered, at(seconds), policy);
      memory = step.memory;
      const n = step.notice;
      return n
        ? n.kind === 'recovered'
          ? 'recovered'
          : n.repeat
            ? 'repeat'
            : 'unreachable'
        : memory.firing
          ? 'down'
          : 'up';
    });
  }

  it('fires once every poll for the minimum duration failed, repeats, and resolves at the first answer', () => {
    // Fails from 0 s: nothing at 0 or 60 s; at 120 s (120 − 0 ≥ 120) it fires. It was announced at 120 s, so the
    // repeat is due at 120 s + 240 min. An answer resolves it; the next failure starts counting afresh.
    const result = polls([
      [0, false],
      [60, false],
      [120, false],
      [180, false],
      [120 + minutes(240), false],
      [180 + minutes(240), true],
      [240 + minutes(240), false],
    ]);
    expect(result).to.deep.equal(['up', 'up', 'unreachable', 'down', 'repeat', 'recovered', 'up']);
  });

  it('one lost answer between good ones is not an outage', () => {
    expect(
      polls([
        [0, true],
        [60, false],
        [120, true],
        [180, false],
        [240, true],
      ]),
    ).to.deep.equal(['up', 'up', 'up', 'up', 'up']);
  });
});
