// A small SVG line chart of one or two series over time; null values leave gaps. Labelled for screen readers.

export interface Series {
  name: string;
  values: (number | null)[];
  color: string;
}

const W = 320;
const H = 110;
const PAD = 4;

const pathOf = (values: (number | null)[], max: number): string => {
  const step = values.length > 1 ? (W - 2 * PAD) / (values.length - 1) : 0;
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    const x = PAD + i * step;
    const y = H - PAD - (max > 0 ? (v / max) * (H - 2 * PAD) : 0);
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)} `;
    pen = true;
  });
  return d.trim();
};

const latest = (values: (number | null)[]): number | null => {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
  return null;
};

export const format = (v: number | null, unit = ''): string =>
  v === null ? '–' : `${Number.isInteger(v) ? v : v.toFixed(v < 10 ? 2 : 1)}${unit}`;

export const LineChart = ({ title, series, unit }: { title: string; series: Series[]; unit?: string }) => {
  const max = Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const summary = series.map((s) => `${s.name} ${format(latest(s.values), unit)}`).join(', ');
  return (
    <figure className="chart" data-testid={`chart-${title}`}>
      <figcaption>
        <span>{title}</span>
        <span className="now">
          {series.map((s) => (
            <span key={s.name} style={{ color: s.color }}>
              {series.length > 1 ? `${s.name} ` : ''}
              {format(latest(s.values), unit)}
            </span>
          ))}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: latest ${summary}`}>
        <line x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} className="axis" />
        {series.map((s) => (
          <path key={s.name} d={pathOf(s.values, max)} stroke={s.color} fill="none" strokeWidth={2} />
        ))}
      </svg>
    </figure>
  );
};
