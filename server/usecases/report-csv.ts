// A report as CSV: one line per group and a closing Total line, the same figures as the JSON, with
// durations in seconds. UTF-8 with a byte-order mark, so spreadsheets show Thai names as written.
import { stringify } from 'csv-stringify/sync';
import type { ReportMetrics } from '../domain/reports/report-metrics.js';
import type { ReportResult } from '../domain/reports/report.js';

type Column = { header: string; value: (m: ReportMetrics) => number | null };

const seconds = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 100) / 10);
const count = (key: keyof ReportMetrics, header: string): Column => ({ header, value: (m) => m[key] });
const duration = (key: keyof ReportMetrics, header: string): Column => ({ header, value: (m) => seconds(m[key]) });

export const REPORT_CSV_COLUMNS: Column[] = [
  count('conversations', 'Conversations'),
  count('firstResponses', 'First responses'),
  duration('firstResponseAvgMs', 'First response avg (s)'),
  duration('firstResponseMedianMs', 'First response median (s)'),
  duration('firstResponseP90Ms', 'First response p90 (s)'),
  count('resolved', 'Resolved'),
  duration('resolutionAvgMs', 'Resolution avg (s)'),
  duration('resolutionMedianMs', 'Resolution median (s)'),
  duration('resolutionP90Ms', 'Resolution p90 (s)'),
  count('handled', 'Handled'),
  duration('handleAvgMs', 'Handle avg (s)'),
  count('slaFirstResponseMet', 'SLA first response met'),
  count('slaFirstResponseMissed', 'SLA first response missed'),
  count('slaFirstResponsePct', 'SLA first response %'),
  count('slaResolutionMet', 'SLA resolution met'),
  count('slaResolutionMissed', 'SLA resolution missed'),
  count('slaResolutionPct', 'SLA resolution %'),
  count('queued', 'Queued'),
  count('abandoned', 'Abandoned'),
  count('abandonmentPct', 'Abandoned %'),
  count('csatResponses', 'CSAT responses'),
  count('csatAvg', 'CSAT avg'),
  count('campaignSends', 'Campaign sends'),
  count('campaignReplies', 'Campaign replies'),
  count('campaignReplyPct', 'Campaign reply %'),
];

const GROUP_HEADER: Record<ReportResult['groupBy'], string> = { channel: 'Channel', queue: 'Queue', agent: 'Agent', segment: 'Segment' };

// A name a spreadsheet would run as a formula (CSV injection) gets a leading ' (as the customer export does):
// =, @, a tab or CR, or + / - not followed by a digit.
const safeText = (s: string): string => (/^(?:[=@\t\r]|[+-](?!\d))/.test(s) ? `'${s}` : s);

export function reportCsv(report: ReportResult): string {
  const line = (key: string, name: string, m: ReportMetrics) => [key, safeText(name), ...REPORT_CSV_COLUMNS.map((c) => c.value(m))];
  const records = [
    ['Key', GROUP_HEADER[report.groupBy], ...REPORT_CSV_COLUMNS.map((c) => c.header)],
    ...report.rows.map((r) => line(r.key, r.label, r.metrics)),
    line('', 'Total', report.totals),
  ];
  // Empty cells for "no figure" (null), so a spreadsheet does not read them as zero.
  return '\uFEFF' + stringify(records, { cast: { number: String }, record_delimiter: 'windows' });
}

export function reportCsvFilename(report: ReportResult): string {
  return `omnidesk-report-${report.groupBy}-${report.period.from}-to-${report.period.to}.csv`;
}
