import { expect } from 'chai';
import { calendarMonth, EnergyInputError, monthContaining, nextMonth } from '../../dist/energy/index.js';

const iso = (date: Date) => date.toISOString();

function thrownCode(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof EnergyInputError) return error.code;
    throw error;
  }
  throw new Error('expected an EnergyInputError');
}

function expectMonth(month: string, timeZone: string | undefined, from: string, to: string, hours: number) {
  const cut = calendarMonth(month, timeZone);
  expect([iso(cut.from), iso(cut.to), cut.hours], `${month} ${timeZone}`).to.deep.equal([from, to, hours]);
}

describe('energy: calendar months', () => {
  it('cuts months in UTC by default: 28, 29 and 31 days, December into the next year', () => {
    expectMonth('2025-02', undefined, '2025-02-01T00:00:00.000Z', '2025-03-01T00:00:00.000Z', 672); // 28 × 24
    expectMonth('2024-02', 'UTC', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z', 696); // 29 × 24
    expectMonth('2025-12', 'UTC', '2025-12-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 744); // 31 × 24
    expect(calendarMonth('2025-12')).to.include({ month: '2025-12', timeZone: 'UTC' });
  });

  it('gives Europe/Berlin 745 hours in October and 743 in March', () => {
    // October 2025: 1 Oct 00:00 CEST (+2) = 30 Sep 22:00Z; 1 Nov 00:00 CET (+1) = 31 Oct 23:00Z. The clocks go back
    // an hour on 26 Oct: 31 × 24 + 1 = 745 h.
    expectMonth('2025-10', 'Europe/Berlin', '2025-09-30T22:00:00.000Z', '2025-10-31T23:00:00.000Z', 745);
    // March 2025: 1 Mar 00:00 CET = 28 Feb 23:00Z; 1 Apr 00:00 CEST = 31 Mar 22:00Z. 30 Mar loses an hour: 743 h.
    expectMonth('2025-03', 'Europe/Berlin', '2025-02-28T23:00:00.000Z', '2025-03-31T22:00:00.000Z', 743);
  });

  it('gives America/New_York 743 hours in March and 721 in November', () => {
    // 1 Mar 00:00 EST (−5) = 05:00Z; 1 Apr 00:00 EDT (−4) = 04:00Z; 9 Mar loses an hour: 31 × 24 − 1 = 743 h.
    expectMonth('2025-03', 'America/New_York', '2025-03-01T05:00:00.000Z', '2025-04-01T04:00:00.000Z', 743);
    // 1 Nov 00:00 EDT = 04:00Z; 1 Dec 00:00 EST = 05:00Z; 2 Nov gains an hour: 30 × 24 + 1 = 721 h.
    expectMonth('2025-11', 'America/New_York', '2025-11-01T04:00:00.000Z', '2025-12-01T05:00:00.000Z', 721);
  });

  it('starts months inside a UTC hour where the offset is not a whole hour', () => {
    // Asia/Kolkata is +5:30 all year: 1 Mar 00:00 IST = 28 Feb 18:30Z; 31 × 24 = 744 h.
    expectMonth('2025-03', 'Asia/Kolkata', '2025-02-28T18:30:00.000Z', '2025-03-31T18:30:00.000Z', 744);
    // Asia/Kathmandu is +5:45: 28 Feb 18:15Z.
    expectMonth('2025-03', 'Asia/Kathmandu', '2025-02-28T18:15:00.000Z', '2025-03-31T18:15:00.000Z', 744);
    // Australia/Lord_Howe shifts by half an hour (5 Oct 2:00 → 2:30, +10:30 → +11): 31 × 24 − 0.5 = 743.5 h.
    expectMonth('2025-10', 'Australia/Lord_Howe', '2025-09-30T13:30:00.000Z', '2025-10-31T13:00:00.000Z', 743.5);
  });

  it('starts a month at the first instant of the 1st where the zone skips midnight', () => {
    // America/Asuncion went from −4 to −3 at 00:00 on 1 Oct 2017: the day began at 01:00 −3 = 04:00Z. September
    // ends there too, and October runs to 1 Nov 00:00 −3 = 03:00Z: 31 × 24 − 1 = 743 h. (Adding a month to
    // 1 Oct 01:00 would wrongly end October at 1 Nov 01:00.)
    expectMonth('2017-10', 'America/Asuncion', '2017-10-01T04:00:00.000Z', '2017-11-01T03:00:00.000Z', 743);
    expect(iso(calendarMonth('2017-09', 'America/Asuncion').to)).to.equal('2017-10-01T04:00:00.000Z');
  });

  it('refuses a month that is not YYYY-MM and a zone that is not IANA', () => {
    for (const month of ['2025-13', '2025-00', '2025-3', 'March', '', '2025-03-01'])
      expect(
        thrownCode(() => calendarMonth(month)),
        month,
      ).to.equal('CM_MONTH_INVALID');
    for (const zone of ['Mars/Olympus_Mons', '', 'CEST'])
      expect(
        thrownCode(() => calendarMonth('2025-03', zone)),
        zone,
      ).to.equal('CM_TIMEZONE_INVALID');
    expect(thrownCode(() => monthContaining(new Date(), 'Nowhere/Nothing'))).to.equal('CM_TIMEZONE_INVALID');
  });

  it('names the month that holds an instant, cut at local midnight', () => {
    expect(monthContaining(new Date('2025-09-30T22:00:00Z'), 'Europe/Berlin')).to.equal('2025-10'); // 00:00 CEST
    expect(monthContaining(new Date('2025-09-30T21:59:59.999Z'), 'Europe/Berlin')).to.equal('2025-09');
    expect(monthContaining(new Date('2025-09-30T22:00:00Z'))).to.equal('2025-09');
    expect(monthContaining(new Date('2025-02-28T18:30:00Z'), 'Asia/Kolkata')).to.equal('2025-03');
  });

  it('names the next month, December into January', () => {
    expect(nextMonth('2025-12')).to.equal('2026-01');
    expect(nextMonth('2025-01')).to.equal('2025-02');
    expect(thrownCode(() => nextMonth('2025-1'))).to.equal('CM_MONTH_INVALID');
  });
});
