import { expect } from 'chai';
import type { Thresholds } from '../dist/thresholds.js';
import { parseOverrides } from '../dist/web/sensor-overrides.js';

/** An inlet sensor as the mockup's Thermal resource and the IPMI simulator report it: both sides set. */
const inlet: Thresholds = { lowerCritical: 5, lowerWarning: 10, upperWarning: 40, upperCritical: 45, upperFatal: 50 };
const parse = (raw: unknown, device: Thresholds = inlet) => parseOverrides(raw, { device_thresholds: device });

describe("temperature-monitor: threshold overrides against the device's own thresholds", () => {
  it('refuses an upper override below the lower thresholds the device reports, naming the field', () => {
    expect(parse({ upperWarning: 8 })).to.deep.equal({
      ok: false,
      errors: { upperWarning: 'The upper warning threshold (8 °C) must be above the lower warning threshold (10 °C).' },
    });
    // 3 °C is below the device's upper warning (40) and its lower critical (5): the first rule broken is named.
    expect(parse({ upperCritical: 3 })).to.deep.equal({
      ok: false,
      errors: {
        upperCritical: 'The upper critical threshold (3 °C) must be at or above the upper warning threshold (40 °C).',
      },
    });
  });

  it('refuses a lower override above the upper thresholds, or outside its own critical one', () => {
    expect(parse({ lowerWarning: 41 })).to.deep.equal({
      ok: false,
      errors: {
        lowerWarning: 'The upper warning threshold (40 °C) must be above the lower warning threshold (41 °C).',
      },
    });
    expect(parse({ lowerCritical: 12 })).to.deep.equal({
      ok: false,
      errors: {
        lowerCritical: 'The lower warning threshold (10 °C) must be at or above the lower critical threshold (12 °C).',
      },
    });
  });

  it('accepts overrides in order, a warning equal to its critical one, and null to follow the device again', () => {
    expect(parse({ upperWarning: 45, lowerCritical: 10, lowerWarning: null })).to.deep.equal({
      ok: true,
      overrides: { upperWarning: 45, lowerCritical: 10 },
    });
  });

  it("does not hold a device's own odd thresholds against an override that does not touch them", () => {
    const odd: Thresholds = { ...inlet, lowerWarning: 60 }; // above its upper thresholds: the device's mistake
    expect(parse({ lowerCritical: 2 }, odd)).to.deep.equal({ ok: true, overrides: { lowerCritical: 2 } });
    expect(parse({ upperWarning: 42 }, odd).ok).to.equal(false);
  });

  it('refuses what is not a temperature or not an overridable threshold', () => {
    expect(parse({ upperWarning: 'hot', upperFatal: 60, lowerWarning: 500 })).to.deep.equal({
      ok: false,
      errors: {
        upperWarning: 'A temperature in °C from -100 to 200.',
        upperFatal:
          'Not a threshold that can be overridden (lowerCritical, lowerWarning, upperWarning, upperCritical).',
        lowerWarning: 'A temperature in °C from -100 to 200.',
      },
    });
    expect(parse([40]).ok).to.equal(false);
  });
});
