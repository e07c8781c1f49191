// Two small SVG charts, drawn by hand (no chart library): conversations per day stacked by group, and a
// day-by-day line of the median first response beside SLA attainment. They scale with their box through
// the viewBox; every bar and point carries a <title>, so hovering (or a screen reader) gives the figure.
import type { ReactNode } from 'react';

const W = 720;
const H = 220;
const PAD = { left: 44, right: 44, top: 12, bottom: 28 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;

/** Series colours, in order; the last one is for "others". */
export const SERIES_COLORS = ['#2f5bd0', '#1d9a6c', '#d08a1a', '#8a4fd0', '#c2332b', '#94a3b8'];

/** A round axis top with about four steps: 1, 2, 2.5 or 5 times a power of ten. */
function niceMax(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 4, step: 1 };
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  return { top: Math.ceil(max / step) * step, step };
}

const SECOND = 1000;
const DURATION_STEPS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 432_000,
].map((s) => s * SECOND);

/** A round axis top for durations: steps of whole seconds, minutes, hours or days. */
function niceDurationMax(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 4 * SECOND, step: SECOND };
  const step = DURATION_STEPS.find((s) => s >= max / 4) ?? niceMax(max).step;
  return { top: Math.ceil(max / step) * step, step };
}

/** Short day labels (d/m), thinned so that at most about twelve show. */
function dayLabels(days: string[]): { i: number; text: string }[] {
  const every = Math.max(1, Math.ceil(days.length / 12));
  return days.flatMap((d, i) => (i % every === 0 ? [{ i, text: `${Number(d.slice(8, 10))}/${Number(d.slice(5, 7))}` }] : []));
}

function Frame({ label, children }: { label: string; children: ReactNode }) {
  return (
    <svg className="report-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} preserveAspectRatio="xMidYMid meet">
      {children}
    </svg>
  );
}

export interface StackSeries {
  key: string;
  label: string;
  values: number[];
}

export function VolumeChart({ days, series, label }: { days: string[]; series: StackSeries[]; label: string }) {
  const totals = days.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const { top, step } = niceMax(Math.max(0, ...totals));
  const slot = PLOT_W / Math.max(1, days.length);
  const barW = Math.max(1, Math.min(28, slot * 0.72));
  const y = (v: number) => PAD.top + PLOT_H - (v / top) * PLOT_H;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, k) => k * step);
  return (
    <Frame label={label}>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} className="grid" />
          <text x={PAD.left - 6} y={y(t) + 4} className="axis" textAnchor="end">
            {t.toLocaleString()}
          </text>
        </g>
      ))}
      {days.map((day, i) => {
        let base = 0;
        const x = PAD.left + i * slot + (slot - barW) / 2;
        return (
          <g key={day}>
            {series.map((s, k) => {
              const v = s.values[i] ?? 0;
              if (v <= 0) return null;
              const rect = (
                <rect key={s.key} x={x} width={barW} y={y(base + v)} height={Math.max(0.5, y(base) - y(base + v))} fill={SERIES_COLORS[k]}>
                  <title>{`${day} · ${s.label}: ${v.toLocaleString()}`}</title>
                </rect>
              );
              base += v;
              return rect;
            })}
          </g>
        );
      })}
      {dayLabels(days).map(({ i, text }) => (
        <text key={i} x={PAD.left + i * slot + slot / 2} y={H - 8} className="axis" textAnchor="middle">
          {text}
        </text>
      ))}
    </Frame>
  );
}

export interface Line {
  label: string;
  values: (number | null)[];
  color: string;
  /** Which scale: left (durations) or right (percent, 0-100). */
  axis: 'left' | 'right';
  dashed?: boolean;
}

export function TrendChart({
  days,
  lines,
  label,
  formatLeft,
}: {
  days: string[];
  lines: Line[];
  label: string;
  formatLeft: (v: number) => string;
}) {
  const leftValues = lines.filter((l) => l.axis === 'left').flatMap((l) => l.values.filter((v): v is number => v !== null));
  const { top, step } = niceDurationMax(Math.max(0, ...leftValues));
  const slot = PLOT_W / Math.max(1, days.length);
  const x = (i: number) => PAD.left + i * slot + slot / 2;
  const y = (v: number, axis: Line['axis']) => PAD.top + PLOT_H - (v / (axis === 'left' ? top : 100)) * PLOT_H;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, k) => k * step);
  // A line breaks where a day has no figure.
  const path = (l: Line) =>
    l.values
      .map((v, i) =>
        v === null ? null : `${i === 0 || l.values[i - 1] === null ? 'M' : 'L'}${x(i).toFixed(1)},${y(v, l.axis).toFixed(1)}`,
      )
      .filter(Boolean)
      .join(' ');
  return (
    <Frame label={label}>
      {ticks.map((t, k) => (
        <g key={t}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(t, 'left')} y2={y(t, 'left')} className="grid" />
          <text x={PAD.left - 6} y={y(t, 'left') + 4} className="axis" textAnchor="end">
            {formatLeft(t)}
          </text>
          <text x={W - PAD.right + 6} y={y((k / (ticks.length - 1 || 1)) * 100, 'right') + 4} className="axis">
            {Math.round((k / (ticks.length - 1 || 1)) * 100)}%
          </text>
        </g>
      ))}
      {lines.map((l) => (
        <g key={l.label}>
          <path d={path(l)} fill="none" stroke={l.color} strokeWidth={2} strokeDasharray={l.dashed ? '5 4' : undefined} />
          {l.values.map((v, i) =>
            v === null ? null : (
              <circle key={i} cx={x(i)} cy={y(v, l.axis)} r={days.length > 60 ? 1.5 : 3} fill={l.color}>
                <title>{`${days[i]} · ${l.label}: ${l.axis === 'left' ? formatLeft(v) : `${v}%`}`}</title>
              </circle>
            ),
          )}
        </g>
      ))}
      {dayLabels(days).map(({ i, text }) => (
        <text key={i} x={x(i)} y={H - 8} className="axis" textAnchor="middle">
          {text}
        </text>
      ))}
    </Frame>
  );
}

export function Legend({ items }: { items: { label: string; color: string; dashed?: boolean }[] }) {
  return (
    <ul className="report-legend">
      {items.map((item) => (
        <li key={item.label}>
          <span
            className={item.dashed ? 'swatch dashed' : 'swatch'}
            style={{ background: item.dashed ? undefined : item.color, borderColor: item.color }}
          />
          {item.label}
        </li>
      ))}
    </ul>
  );
}
