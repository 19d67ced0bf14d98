import type { AlertStore } from '../store/alert-store.js';
import type { Step } from './alert-machine.js';
import { hostEvent, sensorEvent, type AlertSubject, type PendingEvent } from './alert-events.js';
import type { HostStep } from './host-machine.js';

/**
 * Stores what a sensor's step changed — an alert opened, escalated, de-escalated or resolved, each transition in
 * its history — and returns the event to emit for its notice, if any.
 */
export async function recordSensorStep(
  alerts: AlertStore,
  subject: AlertSubject,
  step: Step,
  reading: number,
  at: Date,
): Promise<PendingEvent | null> {
  const announced = step.notice !== null;
  const { transition } = step;
  if (!transition && !step.notice) return null; // most readings: nothing to store beyond the reading
  let alert = await alerts.firing(subject.hostId, subject.sensorId);
  if (transition && transition.to !== 'ok' && !alert) {
    const id = await alerts.open(
      {
        host_id: subject.hostId,
        sensor_id: subject.sensorId,
        kind: 'sensor',
        severity: transition.to,
        reading,
        threshold: step.threshold,
        reason: null,
        at,
      },
      transition.from,
      announced,
    );
    alert = await alerts.firing(subject.hostId, subject.sensorId);
    if (!alert) throw new Error(`alert ${id} vanished`);
  } else if (transition && alert && transition.to !== 'ok') {
    await alerts.escalate(
      alert.id,
      {
        from: transition.from,
        to: transition.to,
        at,
        reading,
        threshold: step.threshold,
        crossed: transition.threshold,
      },
      announced,
    );
  } else if (transition && alert) {
    await alerts.resolve(alert.id, { from: transition.from, at, reading, threshold: transition.threshold }, announced);
  } else if (step.notice && alert) {
    await alerts.repeated(alert.id, at, reading, alert.threshold, alert.severity);
  }
  if (!step.notice || !alert) return null;
  const threshold = step.notice.kind === 'firing' ? step.notice.threshold : (transition?.threshold ?? null);
  return sensorEvent(subject, step.notice, { alertId: alert.id, reading, threshold, at, firedAt: alert.fired_at });
}

/** Stores what a host's step changed (its `host_unreachable` alert) and returns the event of its notice. */
export async function recordHostStep(
  alerts: AlertStore,
  host: { id: number; name: string; rack: string; room: string },
  step: HostStep,
  failure: { code: string; message: string } | null,
  at: Date,
): Promise<PendingEvent | null> {
  const { notice } = step;
  if (!notice) return null;
  const since = step.memory.failingSince;
  let alertId: number;
  if (notice.kind === 'unreachable' && !notice.repeat) {
    alertId = await alerts.open(
      {
        host_id: host.id,
        sensor_id: null,
        kind: 'host_unreachable',
        severity: 'critical',
        reading: null,
        threshold: null,
        reason: failure?.message ?? null,
        at,
      },
      'ok',
      true,
    );
  } else {
    const alert = await alerts.firing(host.id, null);
    if (!alert) return null;
    alertId = alert.id;
    if (notice.kind === 'recovered')
      await alerts.resolve(alert.id, { from: 'critical', at, reading: null, threshold: null }, true);
    else await alerts.repeated(alert.id, at, null, null, 'critical');
  }
  return hostEvent(host, notice.kind, {
    alertId,
    at,
    since: notice.kind === 'recovered' ? null : since,
    code: failure?.code ?? null,
    reason: failure?.message ?? null,
    repeat: notice.kind === 'unreachable' && notice.repeat,
  });
}
