import { breachOf } from '../alerts/alert-machine.js';
import type { DiscoveredSensor } from '../sources/source-types.js';
import type { AlertRow } from '../store/alert-store.js';
import type { HostRow } from '../store/host-store.js';
import type { SensorRow } from '../store/sensor-store.js';
import { effectiveThresholds } from '../thresholds.js';

const iso = (value: Date | null) => (value === null ? null : new Date(value).toISOString());

/** A host in the API (docs/temperature-monitor.md); the password is never shown. */
export function presentHost(host: HostRow) {
  return {
    id: host.id,
    name: host.name,
    address: host.address,
    source: host.source,
    username: host.username,
    pollIntervalSeconds: host.poll_interval_seconds,
    enabled: host.enabled,
    labels: { rack: host.rack, room: host.room },
    scrape: host.options.scrape ?? null,
    redfish: host.options.redfish ?? null,
    ipmi: host.options.ipmi ?? null,
    state: host.state,
    error: host.error_code ? { code: host.error_code, message: host.error_message } : null,
    lastPolledAt: iso(host.last_polled_at),
  };
}

/** A tracked sensor in the API: its reading, state, the device's thresholds with the overrides applied, and the overrides. */
export function presentSensor(sensor: SensorRow) {
  return {
    id: sensor.id,
    hostId: sensor.host_id,
    key: sensor.key,
    name: sensor.name,
    reading: sensor.reading,
    unit: sensor.unit,
    at: iso(sensor.read_at),
    state: sensor.state,
    thresholds: effectiveThresholds(sensor.device_thresholds, sensor.overrides),
    overrides: sensor.overrides,
  };
}

/** A sensor as discovery lists it; its state is the reading against the device's thresholds, now. */
export function presentDiscovered(sensor: DiscoveredSensor) {
  const { read } = sensor;
  const state =
    read.status === 'ok'
      ? breachOf(read.celsius, sensor.thresholds).level
      : read.status === 'disabled'
        ? 'disabled'
        : 'unknown';
  return {
    key: sensor.key,
    name: sensor.name,
    reading: read.status === 'ok' ? read.celsius : null,
    unit: sensor.unit,
    state,
    thresholds: sensor.thresholds,
    ...(read.status === 'ok' ? {} : { note: read.note }),
  };
}

/** An alert in the API. */
export function presentAlert(alert: AlertRow) {
  return {
    id: alert.id,
    hostId: alert.host_id,
    sensorId: alert.sensor_id,
    kind: alert.kind,
    severity: alert.severity,
    state: alert.state,
    firedAt: iso(alert.fired_at),
    resolvedAt: iso(alert.resolved_at),
    reading: alert.reading,
    threshold: alert.threshold,
  };
}
