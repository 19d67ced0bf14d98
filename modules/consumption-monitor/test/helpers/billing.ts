import type { CmServer } from './cm-server.js';

/** Creates an http endpoint (never read by these tests) and returns its id. */
export async function addEndpoint(
  cm: CmServer,
  name: string,
  options: { kind?: 'counter' | 'power'; poll?: number; customer?: string; rack?: string; unit?: string } = {},
): Promise<string> {
  const kind = options.kind ?? 'counter';
  const created = await cm.api('POST', '/endpoints', {
    name,
    source: 'http',
    url: 'http://127.0.0.1:9/',
    jsonPath: '$.value',
    kind,
    unit: options.unit ?? (kind === 'counter' ? 'kWh' : 'kW'),
    pollIntervalMinutes: options.poll ?? 15,
    enabled: false,
    labels: { customer: options.customer ?? null, rack: options.rack ?? null },
  });
  if (created.status !== 201) throw new Error(`endpoint ${name}: ${JSON.stringify(created.body)}`);
  return created.body.id as string;
}

/** Imports readings `[timestamp, value]` of one endpoint through the JSON import. */
export async function importReadings(cm: CmServer, endpoint: string, readings: [string, number][]) {
  const answer = await cm.api('POST', '/consumption/readings/import', {
    readings: readings.map(([timestamp, value]) => ({ endpoint, timestamp, value })),
  });
  if (answer.status !== 200) throw new Error(`import: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as { imported: number; duplicates: number };
}

/** Hourly readings from `fromIso` (inclusive) for `hours` hours, the counter rising `step` kWh an hour. */
export function hourly(fromIso: string, hours: number, startValue: number, step = 1): [string, number][] {
  const from = new Date(fromIso).getTime();
  return Array.from({ length: hours + 1 }, (_, i) => [
    new Date(from + i * 3_600_000).toISOString(),
    startValue + i * step,
  ]);
}

/** The summary line of an endpoint in a month. */
export async function lineOf(cm: CmServer, month: string, endpointId: string) {
  const { status, body } = await cm.api('GET', `/consumption/monthly-summary?month=${month}`);
  if (status !== 200) throw new Error(`summary ${month}: ${status} ${JSON.stringify(body)}`);
  return body.endpoints.find((line: { endpointId: string }) => line.endpointId === endpointId);
}
