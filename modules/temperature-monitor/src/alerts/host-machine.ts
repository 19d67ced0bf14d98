import type { AlertPolicy } from './alert-machine.js';

/** What the machine remembers of a host between polls (stored with the host). */
export interface HostMemory {
  /** Since when (ISO time) every poll of the host failed; null while it answers. */
  failingSince: string | null;
  /** Whether its `host_unreachable` alert is firing. */
  firing: boolean;
  /** When the alert was last announced. */
  announcedAt: string | null;
}

/** A notice about a host. */
export type HostNotice = { kind: 'unreachable'; repeat: boolean } | { kind: 'recovered' };

/** The outcome of one poll. */
export interface HostStep {
  memory: HostMemory;
  notice: HostNotice | null;
}

/** A host never polled. */
export const initialHostMemory: HostMemory = Object.freeze({ failingSince: null, firing: false, announcedAt: null });

/**
 * One poll through a host's `host_unreachable` alert: it fires once every poll for `minDurationMs` failed (a single
 * lost answer is not an outage), is announced again every `repeatIntervalMs`, and resolves at the first poll that
 * answers.
 */
export function stepHost(memory: HostMemory, answered: boolean, at: Date, policy: AlertPolicy): HostStep {
  const now = at.toISOString();
  if (answered) {
    const memoryNow: HostMemory = {
      failingSince: null,
      firing: false,
      announcedAt: memory.firing ? now : memory.announcedAt,
    };
    return { memory: memoryNow, notice: memory.firing ? { kind: 'recovered' } : null };
  }
  const failingSince = memory.failingSince ?? now;
  if (!memory.firing) {
    if (at.getTime() - Date.parse(failingSince) < policy.minDurationMs) {
      return { memory: { ...memory, failingSince }, notice: null };
    }
    return { memory: { failingSince, firing: true, announcedAt: now }, notice: { kind: 'unreachable', repeat: false } };
  }
  const due = memory.announcedAt === null || at.getTime() - Date.parse(memory.announcedAt) >= policy.repeatIntervalMs;
  return due
    ? { memory: { ...memory, failingSince, announcedAt: now }, notice: { kind: 'unreachable', repeat: true } }
    : { memory: { ...memory, failingSince }, notice: null };
}
