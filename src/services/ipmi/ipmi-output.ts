/**
 * Readers of ipmitool's sensor listings. Every value column may say `na` (no value: never 0), every status
 * `ns` (no reading); discrete sensors show a state mask (`0x0100`) instead of a number.
 */

/** The six thresholds of `ipmitool sensor`, in the sensor's unit; null where the BMC has none (`na`). */
export interface IpmiThresholds {
  lowerNonRecoverable: number | null;
  lowerCritical: number | null;
  lowerNonCritical: number | null;
  upperNonCritical: number | null;
  upperCritical: number | null;
  upperNonRecoverable: number | null;
}

/** A row of `ipmitool sensor`: `name | value | unit | status | lnr | lcr | lnc | unc | ucr | unr`. */
export interface IpmiSensor {
  name: string;
  /** The reading; null for `na`, a discrete sensor or anything that is not a number. */
  value: number | null;
  /** The value column as printed (`45.000`, `na`, `0x1`). */
  text: string;
  /** `degrees C`, `Volts`, `RPM`…; null when empty or `discrete`. */
  unit: string | null;
  /** A discrete sensor (a state, not a measurement). */
  discrete: boolean;
  /** `ok`, `nc`, `cr`, `nr`, `na`, `ns` or, for a discrete sensor, its state mask. */
  status: string;
  thresholds: IpmiThresholds;
}

/** A row of `ipmitool sdr elist` / `sdr type <type>` (`name | id | status | entity | reading`) or `sdr list`. */
export interface IpmiSdrEntry {
  name: string;
  /** The sensor number (`01h`); null in the short `sdr list` format. */
  sensorId: string | null;
  /** `ok`, `ns` (no reading), `nc`, `cr`, `nr`… */
  status: string;
  /** Entity id and instance (`3.1`); null in the short format. */
  entity: string | null;
  /** The reading when it is a number with a unit (`45 degrees C`), else null. */
  value: number | null;
  unit: string | null;
  /** The reading column as printed (`45 degrees C`, `No Reading`, `Disabled`, `Presence detected`, `0x01`). */
  text: string;
}

/** Thrown (as NXF_IPMI_PARSE by the service) when output is not the listing it should be. */
export class IpmiParseError extends Error {}

const cells = (line: string) => line.split('|').map((cell) => cell.trim());
const lines = (output: string) => output.split(/\r?\n/).filter((line) => line.trim() !== '');

/** A number, or null for `na`, empty or anything else; never 0 for "nothing". */
function numberOrNull(text: string): number | null {
  if (!/^[-+]?\d+(\.\d+)?$/.test(text)) return null;
  return Number(text);
}

/** Parses `ipmitool sensor` (alias `sensor list`). */
export function parseSensorTable(output: string): IpmiSensor[] {
  const rows = lines(output).map(cells);
  const parsed = rows.filter((row) => row.length >= 10).map(sensorRow);
  assertSomething(output, parsed.length, rows.length);
  return parsed;
}

function sensorRow(row: string[]): IpmiSensor {
  const [name = '', text = '', unitText = '', status = '', ...limits] = row;
  const discrete = unitText === 'discrete';
  const limit = (index: number) => numberOrNull(limits[index] ?? 'na');
  return {
    name,
    value: discrete ? null : numberOrNull(text),
    text,
    unit: unitText === '' || discrete ? null : unitText,
    discrete,
    status,
    thresholds: {
      lowerNonRecoverable: limit(0),
      lowerCritical: limit(1),
      lowerNonCritical: limit(2),
      upperNonCritical: limit(3),
      upperCritical: limit(4),
      upperNonRecoverable: limit(5),
    },
  };
}

/** Parses `ipmitool sdr elist`, `sdr type <type>` (five columns) and `sdr` / `sdr list` (three columns). */
export function parseSdrList(output: string): IpmiSdrEntry[] {
  const rows = lines(output).map(cells);
  const parsed = rows.flatMap((row): IpmiSdrEntry[] => {
    if (row.length === 5) {
      const [name = '', sensorId = '', status = '', entity = '', text = ''] = row;
      return [{ name, sensorId, status, entity, ...readingOf(text) }];
    }
    if (row.length === 3) {
      const [name = '', text = '', status = ''] = row;
      return [{ name, sensorId: null, status, entity: null, ...readingOf(text) }];
    }
    return [];
  });
  assertSomething(output, parsed.length, rows.length);
  return parsed;
}

/** `45 degrees C` → 45 °C; `-3.5 Volts`; anything else (`No Reading`, `Disabled`, `0x01`) is text only. */
function readingOf(text: string): { value: number | null; unit: string | null; text: string } {
  const match = /^([-+]?\d+(?:\.\d+)?)\s+(.+)$/.exec(text);
  if (!match) return { value: null, unit: null, text };
  return { value: Number(match[1]), unit: match[2] ?? null, text };
}

/** Output with lines but none of the expected shape is garbage, not an empty BMC. */
function assertSomething(output: string, parsed: number, total: number): void {
  if (parsed === 0 && total > 0) {
    const first = lines(output)[0]?.trim().slice(0, 120) ?? '';
    throw new IpmiParseError(`ipmitool printed something that is not a sensor listing: "${first}"`);
  }
}
