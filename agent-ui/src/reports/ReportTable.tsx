// The report's table: one row per group, the totals at the foot. Tabular figures, right-aligned.
import type { ReportMetrics } from '../../../server/domain/reports/report-metrics.js';
import type { ReportResult } from '../../../server/domain/reports/report.js';
import { useStrings } from '../i18n';
import { count, DASH, duration, percent } from './format';
import { REPORT_STRINGS, type ReportKey } from './strings';

interface Column {
  head: ReportKey;
  long?: ReportKey;
  cell: (m: ReportMetrics) => string;
  sub?: (m: ReportMetrics) => string | null;
}

export function ReportTable({ report, labelOf }: { report: ReportResult; labelOf: (key: string, label: string) => string }) {
  const s = useStrings(REPORT_STRINGS);
  const d = (ms: number | null) => duration(ms, s);
  const columns: Column[] = [
    { head: 'conversations', cell: (m) => count(m.conversations) },
    { head: 'frtAvg', long: 'frtLong', cell: (m) => d(m.firstResponseAvgMs) },
    { head: 'frtMedian', cell: (m) => d(m.firstResponseMedianMs) },
    { head: 'frtP90', cell: (m) => d(m.firstResponseP90Ms) },
    { head: 'resAvg', cell: (m) => d(m.resolutionAvgMs), sub: (m) => s('resolvedN', { n: count(m.resolved) }) },
    { head: 'resMedian', cell: (m) => d(m.resolutionMedianMs) },
    { head: 'aht', long: 'ahtLong', cell: (m) => d(m.handleAvgMs) },
    {
      head: 'slaFr',
      cell: (m) => percent(m.slaFirstResponsePct),
      sub: (m) =>
        m.slaFirstResponsePct === null
          ? null
          : `${count(m.slaFirstResponseMet)}/${count(m.slaFirstResponseMet + m.slaFirstResponseMissed)}`,
    },
    {
      head: 'slaRes',
      cell: (m) => percent(m.slaResolutionPct),
      sub: (m) =>
        m.slaResolutionPct === null ? null : `${count(m.slaResolutionMet)}/${count(m.slaResolutionMet + m.slaResolutionMissed)}`,
    },
    {
      head: 'abandonedPct',
      cell: (m) => percent(m.abandonmentPct),
      sub: (m) => (m.queued ? `${count(m.abandoned)}/${count(m.queued)}` : null),
    },
    {
      head: 'csatAvg',
      cell: (m) => (m.csatAvg === null ? DASH : m.csatAvg.toFixed(2)),
      sub: (m) => (m.csatResponses ? s('responses', { n: count(m.csatResponses) }) : null),
    },
    {
      head: 'campaignSends',
      cell: (m) => (m.campaignSends ? percent(m.campaignReplyPct) : DASH),
      sub: (m) => (m.campaignSends ? s('repliesOf', { replies: count(m.campaignReplies), sends: count(m.campaignSends) }) : null),
    },
  ];
  const cells = (m: ReportMetrics) =>
    columns.map((c) => {
      const sub = c.sub?.(m);
      return (
        <td key={c.head} className="num">
          {c.cell(m)}
          {sub && <span className="sub">{sub}</span>}
        </td>
      );
    });
  return (
    <div className="board-scroll">
      <table className="board-table report-table">
        <colgroup>
          <col className="col-group" />
          {columns.map((c) => (
            <col key={c.head} />
          ))}
        </colgroup>
        <thead>
          <tr>
            <th scope="col">{s(`group_${report.groupBy}`)}</th>
            {columns.map((c) => (
              <th key={c.head} scope="col" className="num">
                {c.long ? <abbr title={s(c.long)}>{s(c.head)}</abbr> : s(c.head)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{labelOf(r.key, r.label)}</th>
              {cells(r.metrics)}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{s('total')}</th>
            {cells(report.totals)}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
