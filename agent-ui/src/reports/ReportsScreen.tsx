// Reports for supervisors: a period (presets or two dates, in a time zone), a grouping (channel, queue,
// agent, segment) and optionally one segment's customers; headline figures, conversations per day
// stacked by group, speed and SLA per day, and the table, with its CSV. Mounted by the console as the
// "Reports" tab; loaded only when first opened.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ReportGroupBy, ReportResult } from '../../../server/domain/reports/report.js';
import { CHANNEL_KINDS, type User } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n, useStrings, type MessageKey } from '../i18n';
import { ReportBody } from './ReportBody';
import { DEFAULT_TIME_ZONE, PRESETS, periodDays, presetPeriod, queryString, type Preset, type ReportQuery } from './report-query';
import { REPORT_STRINGS } from './strings';
import '../board/board.css';
import './reports.css';

const CHANNEL_KEYS = new Set<string>(CHANNEL_KINDS);
const GROUP_BYS: readonly ReportGroupBy[] = ['channel', 'queue', 'agent', 'segment'];

function useSegments(api: Api): { id: string; name: string }[] {
  const [segments, setSegments] = useState<{ id: string; name: string }[]>([]);
  useEffect(() => {
    // Segments are optional: without them the picker just offers all customers.
    api.json<{ segments: { id: string; name: string }[] }>('GET', '/segments').then(
      (res) => setSegments(res.segments),
      () => setSegments([]),
    );
  }, [api]);
  return segments;
}

/** The desk's report zone (REPORT_TIME_ZONE on the server); null until known. */
function useDeskZone(api: Api): string | null {
  const [zone, setZone] = useState<string | null>(null);
  useEffect(() => {
    api.json<{ timeZone: string }>('GET', '/reports/settings').then(
      (res) => setZone(res.timeZone),
      () => setZone(DEFAULT_TIME_ZONE),
    );
  }, [api]);
  return zone;
}

function useReport(api: Api, query: ReportQuery | null) {
  const [state, setState] = useState<{ report: ReportResult | null; error: string | null; loading: boolean }>({
    report: null,
    error: null,
    loading: false,
  });
  const latest = useRef(0);
  useEffect(() => {
    if (!query) return;
    const id = ++latest.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    api.json<ReportResult>('GET', `/reports?${queryString(query)}`).then(
      (report) => id === latest.current && setState({ report, error: null, loading: false }),
      (err: unknown) =>
        id === latest.current && setState((s) => ({ ...s, error: err instanceof Error ? err.message : String(err), loading: false })),
    );
  }, [api, query]);
  return state;
}

export function ReportsScreen({ api, me }: { api: Api; me: User }) {
  const s = useStrings(REPORT_STRINGS);
  const { t } = useI18n();
  const allowed = me.role === 'supervisor' || me.role === 'admin';
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const deskZone = useDeskZone(api);
  const [chosenZone, setTz] = useState<string | null>(null);
  // The desk's zone until the supervisor picks another (the rollup's days: the fastest reports).
  const tz = chosenZone ?? deskZone ?? DEFAULT_TIME_ZONE;
  const zones = [...new Set([tz, deskZone ?? DEFAULT_TIME_ZONE, browserZone, 'UTC'])];
  const [preset, setPreset] = useState<Preset>('30');
  const [custom, setCustom] = useState(() => presetPeriod('30', tz));
  const [groupBy, setGroupBy] = useState<ReportGroupBy>('channel');
  const [segmentId, setSegmentId] = useState('');
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const segments = useSegments(api);

  const period = preset === 'custom' ? custom : presetPeriod(preset, tz);
  const days = periodDays(period.from, period.to);
  const query = useMemo<ReportQuery | null>(
    () =>
      allowed && days !== null && deskZone !== null
        ? { from: period.from, to: period.to, groupBy, tz, segmentId: groupBy === 'segment' ? '' : segmentId }
        : null,
    [allowed, days, deskZone, period.from, period.to, groupBy, tz, segmentId],
  );
  const { report, error, loading } = useReport(api, query);

  if (!allowed) return <p className="board-empty">{s('supervisorsOnly')}</p>;

  const labelOf = (key: string, label: string) => {
    if (report?.groupBy === 'channel' && CHANNEL_KEYS.has(key)) return t(`channel_${key}` as MessageKey);
    if (key === '' && report?.groupBy === 'queue') return s('noQueue');
    if (key === '' && report?.groupBy === 'agent') return s('unassigned');
    return label;
  };

  const download = async () => {
    if (!query) return;
    setDownloading(true);
    setDownloadError(null);
    try {
      const blob = await api.file(`/reports.csv?${queryString(query)}`);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `omnidesk-report-${query.groupBy}-${query.from}-to-${query.to}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setDownloadError(err instanceof Error ? err.message : String(err));
    } finally {
      setDownloading(false);
    }
  };

  return (
    <main className="board reports" aria-busy={loading}>
      <div className="board-head">
        <h2>{s('title')}</h2>
        {loading && (
          <span className="muted" role="status">
            {s('loading')}
          </span>
        )}
      </div>

      <section className="board-card report-filters" aria-label={s('period')}>
        <div className="report-filter">
          <span className="report-filter-label">{s('period')}</span>
          <div className="segmented">
            {PRESETS.map((p) => (
              <button
                key={p}
                type="button"
                aria-pressed={preset === p}
                onClick={() => {
                  if (p === 'custom' && preset !== 'custom') setCustom(period);
                  setPreset(p);
                }}
              >
                {s(`preset_${p}`)}
              </button>
            ))}
          </div>
          {preset === 'custom' && (
            <span className="report-dates">
              <label>
                {s('from')}
                <input
                  type="date"
                  value={custom.from}
                  max={custom.to}
                  onChange={(e) => setCustom((c) => ({ ...c, from: e.target.value }))}
                />
              </label>
              <label>
                {s('to')}
                <input type="date" value={custom.to} min={custom.from} onChange={(e) => setCustom((c) => ({ ...c, to: e.target.value }))} />
              </label>
            </span>
          )}
        </div>
        <div className="report-filter">
          <span className="report-filter-label">{s('groupBy')}</span>
          <div className="segmented">
            {GROUP_BYS.map((g) => (
              <button key={g} type="button" aria-pressed={groupBy === g} onClick={() => setGroupBy(g)}>
                {s(`group_${g}`)}
              </button>
            ))}
          </div>
        </div>
        {groupBy !== 'segment' && segments.length > 0 && (
          <label className="report-filter">
            <span className="report-filter-label">{s('segment')}</span>
            <select value={segmentId} onChange={(e) => setSegmentId(e.target.value)}>
              <option value="">{s('allCustomers')}</option>
              {segments.map((seg) => (
                <option key={seg.id} value={seg.id}>
                  {seg.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="report-filter">
          <span className="report-filter-label">{s('timeZone')}</span>
          <select value={tz} onChange={(e) => setTz(e.target.value)}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn report-download" onClick={download} disabled={!query || downloading}>
          {downloading ? s('downloading') : s('downloadCsv')}
        </button>
      </section>

      {days === null && <p className="banner banner-warn">{s('badPeriod')}</p>}
      {error && (
        <p className="banner banner-warn" role="alert">
          {s('loadFailed', { error })}
        </p>
      )}
      {downloadError && (
        <p className="banner banner-warn" role="alert">
          {s('downloadFailed', { error: downloadError })}
        </p>
      )}

      {report && <ReportBody report={report} labelOf={labelOf} />}
    </main>
  );
}
