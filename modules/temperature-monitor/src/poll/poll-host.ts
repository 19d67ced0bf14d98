import type { ModuleLogger, ModuleServices } from 'nxforge/module';
import type { PendingEvent } from '../alerts/alert-events.js';
import { initialMemory, stepSensor, type SensorMemory } from '../alerts/alert-machine.js';
import { recordHostStep, recordSensorStep } from '../alerts/alert-recorder.js';
import { initialHostMemory, stepHost, type HostMemory } from '../alerts/host-machine.js';
import { alertPolicy, type TemperatureSettings } from '../settings.js';
import { sourceForHost } from '../sources/source-for-host.js';
import { SourceError, type SensorRead } from '../sources/source-types.js';
import { createAlertStore } from '../store/alert-store.js';
import type { HostRow } from '../store/host-store.js';
import { createHostStore } from '../store/host-store.js';
import { createReadingStore, type Reading } from '../store/reading-store.js';
import { createSensorStore, type SensorRow, type SensorState, type SensorStateUpdate } from '../store/sensor-store.js';
import type { Sql } from '../store/sql.js';
import { effectiveThresholds } from '../thresholds.js';

/** What a poll needs: the same in a job's worker thread and in a page ("Poll now"). */
export interface PollDeps {
  sql: Sql;
  services: ModuleServices;
  settings: TemperatureSettings;
  logger: ModuleLogger;
  emit(name: string, payload: unknown, options: { severity: PendingEvent['severity'] }): Promise<void>;
  signal?: AbortSignal;
}

/** How one host's poll went. */
export interface HostPollOutcome {
  hostId: number;
  state: HostRow['state'];
  read: number;
  errorCode: string | null;
  events: number;
}

/**
 * Reads a host's tracked sensors once and records everything that follows: readings and rollups, each sensor's
 * state and alert machine, the host's state and `host_unreachable` machine, the alerts they open or close. The
 * events go out after the writes are committed, so a notification never tells of a state that was not stored.
 */
export async function pollHost(deps: PollDeps, host: HostRow, at = new Date()): Promise<HostPollOutcome> {
  const sensors = await createSensorStore(deps.sql).ofHost(host.id);
  let reads: Map<string, SensorRead> | undefined;
  let failure: SourceError | undefined;
  try {
    const source = sourceForHost(deps, host);
    try {
      reads = await source.read(sensors.map((s) => s.key));
    } finally {
      source.close();
    }
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    failure = error;
  }
  const events = await deps.sql.transaction((sql) => recordPoll(sql, deps.settings, host, sensors, reads, failure, at));
  for (const event of events) await deps.emit(event.name, event.payload, { severity: event.severity });
  if (failure) deps.logger.warn(`${host.name}: ${failure.message}`, { host: host.id, code: failure.code });
  return {
    hostId: host.id,
    state: failure ? failure.failure : 'ok',
    read: reads ? [...reads.values()].filter((r) => r.status === 'ok').length : 0,
    errorCode: failure?.code ?? null,
    events: events.length,
  };
}

/** The writes of one poll, in one transaction; returns the events to emit. */
async function recordPoll(
  sql: Sql,
  settings: TemperatureSettings,
  host: HostRow,
  sensors: SensorRow[],
  reads: Map<string, SensorRead> | undefined,
  failure: SourceError | undefined,
  at: Date,
): Promise<PendingEvent[]> {
  const policy = alertPolicy(settings);
  const alerts = createAlertStore(sql);
  const hostStep = stepHost(
    { ...initialHostMemory, ...(host.alert_memory as Partial<HostMemory>) },
    !failure,
    at,
    policy,
  );
  await createHostStore(sql).recordPoll(host.id, {
    state: failure ? failure.failure : 'ok',
    errorCode: failure?.code ?? null,
    errorMessage: failure?.message ?? null,
    memory: hostStep.memory,
    at,
  });
  const events: PendingEvent[] = [];
  const hostNotice = await recordHostStep(alerts, host, hostStep, failure ?? null, at);
  if (hostNotice) events.push(hostNotice);
  // A host that did not answer leaves its sensors as they were: no reading, no notice (muted).
  if (!reads) return events;

  const readings: Reading[] = [];
  const states: SensorStateUpdate[] = [];
  for (const sensor of sensors) {
    const read = reads.get(sensor.key) ?? { status: 'missing' as const, note: 'not read' };
    const deviceThresholds = 'thresholds' in read && read.thresholds ? read.thresholds : sensor.device_thresholds;
    const thresholds = effectiveThresholds(deviceThresholds, sensor.overrides);
    const memory: SensorMemory = { ...initialMemory, ...sensor.alert_memory };
    const celsius = read.status === 'ok' ? read.celsius : null;
    const step = stepSensor(memory, celsius, at, thresholds, policy);
    const state: SensorState =
      read.status === 'ok' ? step.memory.level : read.status === 'disabled' ? 'disabled' : 'unknown';
    states.push({
      id: sensor.id,
      state,
      celsius,
      note: read.status === 'ok' ? null : read.note,
      memory: step.memory,
      deviceThresholds,
    });
    if (celsius === null) continue;
    readings.push({ sensorId: sensor.id, at, celsius });
    const subject = {
      hostId: host.id,
      hostName: host.name,
      rack: host.rack,
      room: host.room,
      sensorId: sensor.id,
      sensorKey: sensor.key,
      sensorName: sensor.name,
    };
    const event = await recordSensorStep(alerts, subject, step, celsius, at);
    if (event) events.push(event);
  }
  await createSensorStore(sql).recordStates(states, at);
  await createReadingStore(sql).record(readings);
  return events;
}
