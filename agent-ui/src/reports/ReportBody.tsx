// A report's figures: the headline tiles, the two charts and the table.
import type { ReportResult } from '../../../server/domain/reports/report.js';
import { useStrings } from '../i18n';
import { count, duration, percent } from './format';
import { Legend, SERIES_COLORS, TrendChart, VolumeChart, type StackSeries } from './ReportCharts';
import { ReportTable } from './ReportTable';
import { REPORT_STRINGS } from './strings';

export function ReportBody({ report, labelOf }: { report: ReportResult; labelOf: (key: string, label: string) => string }) {
  const s = useStrings(REPORT_STRINGS);
  const d = (ms: number | null) => duration(ms, s);
  const m = report.totals;
  const groupName = s(`group_${report.groupBy}`);

  // The five busiest groups apart, the rest as "others" (the rows come busiest first).
  const stack: StackSeries[] = report.series.groups.slice(0, 5).map((g) => {
    const row = report.rows.find((r) => r.key === g.key);
    return { key: g.key, label: labelOf(g.key, row?.label ?? g.key), values: g.conversations };
  });
  const rest = report.series.groups.slice(5);
  if (rest.length > 0) {
    stack.push({
      key: '*others',
      label: s('others'),
      values: report.series.days.map((_, i) => rest.reduce((sum, g) => sum + (g.conversations[i] ?? 0), 0)),
    });
  }
  // With segments the groups overlap: the bars show each segment, not a stack of the desk.
  const bars: StackSeries[] =
    stack.length > 0 ? stack : [{ key: '*all', label: s('conversations'), values: report.series.totals.map((t) => t.conversations) }];
  const lines = [
    {
      label: s('medianFirstResponse'),
      values: report.series.totals.map((t) => t.firstResponseMedianMs),
      color: '#2f5bd0',
      axis: 'left' as const,
    },
    {
      label: s('slaFirstResponseLine'),
      values: report.series.totals.map((t) => t.slaFirstResponsePct),
      color: '#1d9a6c',
      axis: 'right' as const,
    },
    {
      label: s('slaResolutionLine'),
      values: report.series.totals.map((t) => t.slaResolutionPct),
      color: '#d08a1a',
      axis: 'right' as const,
      dashed: true,
    },
  ];

  return (
    <>
      <p className="muted report-note">
        {s('periodNote', {
          from: report.period.from,
          to: report.period.to,
          days: String(report.period.days),
          zone: report.period.timeZone,
        })}
        {report.source === 'facts' && ` ${s('fromFacts')}.`}
      </p>

      <section className="report-kpis" aria-label={s('title')}>
        <Kpi label={s('conversations')} value={count(m.conversations)} sub={s('resolvedN', { n: count(m.resolved) })} />
        <Kpi
          label={s('firstResponse')}
          value={d(m.firstResponseMedianMs)}
          sub={`${s('avg')} ${d(m.firstResponseAvgMs)} · ${s('p90', { value: d(m.firstResponseP90Ms) })}`}
          hint={s('median', { value: d(m.firstResponseMedianMs) })}
        />
        <Kpi
          label={s('resolution')}
          value={d(m.resolutionMedianMs)}
          sub={`${s('avg')} ${d(m.resolutionAvgMs)} · ${s('p90', { value: d(m.resolutionP90Ms) })}`}
          hint={s('median', { value: d(m.resolutionMedianMs) })}
        />
        <Kpi label={s('handleTime')} value={d(m.handleAvgMs)} sub={s('handledN', { n: count(m.handled) })} />
        <Kpi
          label={s('slaFirstResponse')}
          value={percent(m.slaFirstResponsePct)}
          sub={s('metOf', { met: count(m.slaFirstResponseMet), total: count(m.slaFirstResponseMet + m.slaFirstResponseMissed) })}
        />
        <Kpi
          label={s('slaResolution')}
          value={percent(m.slaResolutionPct)}
          sub={s('metOf', { met: count(m.slaResolutionMet), total: count(m.slaResolutionMet + m.slaResolutionMissed) })}
        />
        <Kpi
          label={s('abandoned')}
          value={percent(m.abandonmentPct)}
          sub={s('ofQueued', { n: count(m.abandoned), queued: count(m.queued) })}
        />
        <Kpi
          label={s('csat')}
          value={m.csatAvg === null ? '—' : `${m.csatAvg.toFixed(2)} / 5`}
          sub={s('responses', { n: count(m.csatResponses) })}
        />
        <Kpi
          label={s('campaigns')}
          value={percent(m.campaignReplyPct)}
          sub={s('repliesOf', { replies: count(m.campaignReplies), sends: count(m.campaignSends) })}
        />
      </section>

      {m.conversations === 0 && report.rows.length === 0 ? (
        <p className="board-card board-empty">{s('noData')}</p>
      ) : (
        <>
          <div className="report-charts">
            <section className="board-card">
              <div className="board-card-head">
                <div>
                  <h3>{s('volumeChart')}</h3>
                  <p className="muted">{s('volumeChartHint', { group: groupName.toLowerCase() })}</p>
                </div>
              </div>
              <VolumeChart
                days={report.series.days}
                series={bars}
                label={s('chartFor', { title: s('volumeChart'), summary: `${count(m.conversations)} ${s('conversations')}` })}
              />
              <Legend items={bars.map((b, k) => ({ label: b.label, color: SERIES_COLORS[b.key === '*others' ? 5 : k]! }))} />
            </section>
            <section className="board-card">
              <div className="board-card-head">
                <div>
                  <h3>{s('trendChart')}</h3>
                  <p className="muted">{s('trendChartHint')}</p>
                </div>
              </div>
              <TrendChart
                days={report.series.days}
                lines={lines}
                formatLeft={d}
                label={s('chartFor', { title: s('trendChart'), summary: `${s('medianFirstResponse')} ${d(m.firstResponseMedianMs)}` })}
              />
              <Legend items={lines} />
            </section>
          </div>

          <section className="board-card">
            <div className="board-card-head">
              <div>
                <h3>{s('table', { group: groupName.toLowerCase() })}</h3>
                <p className="muted">{s('tableHint')}</p>
              </div>
            </div>
            <ReportTable report={report} labelOf={labelOf} />
          </section>
        </>
      )}
    </>
  );
}

function Kpi({ label, value, sub, hint }: { label: string; value: string; sub: string; hint?: string }) {
  return (
    <div className="card report-kpi" title={hint}>
      <span className="report-kpi-label">{label}</span>
      <strong className="report-kpi-value">{value}</strong>
      <span className="report-kpi-sub">{sub}</span>
    </div>
  );
}
