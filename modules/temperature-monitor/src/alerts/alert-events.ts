import type { Notice } from './alert-machine.js';

/** An event to emit once the poll's writes are committed. */
export interface PendingEvent {
  name: 'alert_firing' | 'alert_resolved' | 'host_unreachable' | 'host_recovered';
  severity: 'info' | 'warning' | 'error' | 'critical';
  payload: Record<string, unknown>;
}

/** Who an alert is about. */
export interface AlertSubject {
  hostId: number;
  hostName: string;
  rack: string;
  room: string;
  sensorId: number;
  sensorKey: string;
  sensorName: string;
}

const degrees = (value: number | null) => (value === null ? '—' : `${Number(value.toFixed(1))} °C`);

/**
 * The event of a sensor notice. The payload's `subject` is `host/sensor`, so a notification rule's quiet period
 * is kept per sensor; `reading` and `threshold` say what crossed what; `message` is the sentence notifications show.
 */
export function sensorEvent(
  subject: AlertSubject,
  notice: Notice,
  detail: { alertId: number; reading: number; threshold: number | null; at: Date; firedAt: Date },
): PendingEvent {
  const where = `${subject.sensorName} on ${subject.hostName}`;
  const base = {
    subject: `${subject.hostName}/${subject.sensorName}`,
    alertId: detail.alertId,
    hostId: subject.hostId,
    host: subject.hostName,
    sensorId: subject.sensorId,
    sensorKey: subject.sensorKey,
    sensor: subject.sensorName,
    rack: subject.rack,
    room: subject.room,
    reading: detail.reading,
    threshold: detail.threshold,
    unit: '°C',
    at: detail.at.toISOString(),
    firedAt: detail.firedAt.toISOString(),
  };
  if (notice.kind === 'resolved') {
    // The end of an alert carries the alert's severity, so a rule that delivered the alert delivers its end too.
    return {
      name: 'alert_resolved',
      severity: notice.previous === 'critical' ? 'critical' : 'warning',
      payload: {
        ...base,
        severity: notice.previous,
        message: `${where} is back to ${degrees(detail.reading)} (past ${degrees(detail.threshold)}): its ${notice.previous} alert is resolved.`,
      },
    };
  }
  const change = notice.repeat
    ? ' (still)'
    : notice.previous === 'critical' && notice.severity === 'warning'
      ? ' (down from critical)'
      : '';
  return {
    name: 'alert_firing',
    severity: notice.severity,
    payload: {
      ...base,
      severity: notice.severity,
      previousSeverity: notice.previous,
      repeat: notice.repeat,
      message: `${where} is ${degrees(detail.reading)}${change}, past its ${notice.severity} threshold of ${degrees(notice.threshold)}.`,
    },
  };
}

/** The event of a host that stopped or started answering. */
export function hostEvent(
  host: { id: number; name: string; rack: string; room: string },
  kind: 'unreachable' | 'recovered',
  detail: {
    alertId: number;
    at: Date;
    since: string | null;
    code: string | null;
    reason: string | null;
    repeat: boolean;
  },
): PendingEvent {
  const base = {
    subject: host.name,
    alertId: detail.alertId,
    hostId: host.id,
    host: host.name,
    rack: host.rack,
    room: host.room,
    at: detail.at.toISOString(),
    since: detail.since,
  };
  if (kind === 'recovered') {
    // Like a resolved sensor alert: the severity of the alert it ends, for the rules that delivered that one.
    return {
      name: 'host_recovered',
      severity: 'error',
      payload: { ...base, message: `${host.name} answers again; its sensors are read again.` },
    };
  }
  return {
    name: 'host_unreachable',
    severity: 'error',
    payload: {
      ...base,
      code: detail.code,
      reason: detail.reason,
      repeat: detail.repeat,
      message: `${host.name} has not been read since ${detail.since ?? detail.at.toISOString()}: ${detail.reason ?? 'no answer'}. Its sensor alerts are muted until it answers.`,
    },
  };
}
