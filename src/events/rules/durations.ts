const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** A quiet period as written in the form — `0`, `90s`, `15m`, `2h`, `1d`, or plain seconds — in seconds; NaN if not. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,7})\s*([smhd]?)$/i.exec(text.trim());
  if (!match) return Number.NaN;
  return Number(match[1]) * (units[(match[2] || 's').toLowerCase()] as number);
}

/** Seconds in the largest unit that divides them: 900 → `15m`, 0 → `0`. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0';
  for (const unit of ['d', 'h', 'm'] as const) {
    const size = units[unit] as number;
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
