// Figures as the reports screen writes them: durations in two units at most, percentages with one decimal.
import type { ReportKey } from './strings';

type Say = (key: ReportKey, vars?: Record<string, string>) => string;

export const DASH = '—';

export function duration(ms: number | null, say: Say): string {
  if (ms === null) return DASH;
  const s = Math.round(ms / 1000);
  const unit = (key: 'unit_s' | 'unit_m' | 'unit_h' | 'unit_d', n: number) => say(key, { n: String(n) });
  if (s < 60) return unit('unit_s', s);
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${unit('unit_m', m)} ${unit('unit_s', s % 60)}` : unit('unit_m', m);
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${unit('unit_h', h)} ${unit('unit_m', m % 60)}` : unit('unit_h', h);
  const d = Math.floor(h / 24);
  return h % 24 ? `${unit('unit_d', d)} ${unit('unit_h', h % 24)}` : unit('unit_d', d);
}

export const percent = (v: number | null): string => (v === null ? DASH : `${v.toFixed(1)}%`);
export const count = (n: number): string => n.toLocaleString();
