import { expect } from 'chai';
import { lineChartSvg } from '../../../src/web/render/line-chart.js';

const start = Date.UTC(2026, 0, 1);
const hourly = (values: Array<number | null>) => values.map((y, i) => ({ x: new Date(start + i * 3600_000), y }));

describe('server-rendered line chart', () => {
  it('draws an accessible SVG with UTC 24-hour ticks, a legend and threshold lines', () => {
    const svg = lineChartSvg({
      title: 'Rack A3 <power>',
      unit: 'kW',
      series: [{ label: 'PDU "A"', points: hourly([1, 2, 3]) }],
      thresholds: [{ value: 2.5, label: 'limit' }],
    });
    expect(svg).to.contain('role="img" aria-label="Rack A3 &lt;power&gt;"');
    expect(svg).to.contain('>00:00</text>').and.to.contain('>02:00</text>');
    expect(svg).to.match(/>[0-9.]+ kW<\/text>/);
    expect(svg).to.contain('<g class="threshold">').and.to.contain('>limit</text>');
    expect(svg).to.contain('PDU &quot;A&quot;');
    expect(svg).to.not.contain('<script');
  });

  it('leaves a gap for a missing reading instead of drawing a zero', () => {
    const svg = lineChartSvg({ title: 't', series: [{ label: 's', points: hourly([1, null, 3, 4]) }] });
    const path = /<path class="series series-0" d="([^"]+)"/.exec(svg)?.[1] ?? '';
    expect(path.match(/M/g)).to.have.length(2);
  });

  it('shades threshold bands behind the lines, and keeps room above a band open to the top', () => {
    const svg = lineChartSvg({
      title: 'CPU',
      unit: '°C',
      series: [{ label: 'CPU', points: hourly([37, 38, 39]) }],
      bands: [
        { from: 42, to: 45, kind: 'warning', label: 'warning from 42 °C' },
        { from: 45, kind: 'critical', label: 'critical from 45 °C' },
      ],
    });
    const bands = [
      ...svg.matchAll(
        /<rect class="band band-(\w+)" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"><title>([^<]+)<\/title>/g,
      ),
    ];
    expect(bands.map((b) => [b[1], b[4]])).to.deep.equal([
      ['warning', 'warning from 42 °C'],
      ['critical', 'critical from 45 °C'],
    ]);
    // The critical band starts where the warning one ends, and has height of its own although nothing reads above 45.
    const [warning, critical] = bands.map((b) => ({ top: Number(b[2]), height: Number(b[3]) }));
    expect(critical!.top + critical!.height).to.be.closeTo(warning!.top, 0.2);
    expect(critical!.height).to.be.greaterThan(5);
    expect(svg.indexOf('<g class="bands">')).to.be.lessThan(svg.indexOf('<path class="series'));
  });

  it('says there is no data rather than drawing an empty frame', () => {
    expect(lineChartSvg({ title: 'Inlet temperature', series: [{ label: 's', points: hourly([null]) }] })).to.equal(
      '<p class="chart-empty muted">Inlet temperature: no data yet.</p>',
    );
  });
});
