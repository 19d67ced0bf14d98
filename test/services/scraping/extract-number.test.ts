import { expect } from 'chai';
import { parseNumber } from '../../../src/services/scraping/extract-number.js';

describe('parseNumber', () => {
  it('reads numbers as the stated locale writes them', () => {
    expect(parseNumber('1,234.5 kWh', { unit: 'kWh' })).to.equal(1234.5);
    expect(parseNumber('1.234,5', { locale: 'de' })).to.equal(1234.5);
    expect(parseNumber('12 345 Wh', { unit: 'Wh' })).to.equal(12345);
    expect(parseNumber('12\u00a0345,25 kWh', { locale: 'fr', unit: 'kWh' })).to.equal(12345.25);
    expect(parseNumber('1\u202f234,5', { locale: 'fr' })).to.equal(1234.5);
    expect(parseNumber('Total: 987654.321 kWh', { unit: 'kWh' })).to.equal(987654.321);
    expect(parseNumber('−3.5 °C')).to.equal(-3.5);
    expect(parseNumber('0 kWh', { unit: 'kWh' })).to.equal(0);
  });

  it('picks the number followed by the unit when the text has several', () => {
    expect(parseNumber('230 V · 1,234.5 kWh · 4.2 A', { unit: 'kWh' })).to.equal(1234.5);
    expect(() => parseNumber('230 V · 1,234.5 kWh')).to.throw(/several numbers/);
  });

  it('refuses text that is not a number in that format, instead of returning 0 or a wrong value', () => {
    const bad: Array<[string, Parameters<typeof parseNumber>[1]]> = [
      ['n/a', {}],
      ['', {}],
      ['--- kWh', { unit: 'kWh' }],
      ['1,234.5 kWh', { locale: 'de' }],
      ['1.234,5', { locale: 'en' }],
      ['1,234.5 kWh', { unit: 'Wh' }],
      ['1,23 kWh', { unit: 'kWh' }],
    ];
    for (const [text, format] of bad) {
      expect(() => parseNumber(text, format), text)
        .to.throw()
        .with.property('code', 'NXF_SCRAPE_PARSE');
    }
    expect(() => parseNumber('1', { locale: 'not a locale!' }))
      .to.throw()
      .with.property('code', 'NXF_SCRAPE_PARSE');
  });
});
