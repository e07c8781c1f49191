import { z } from 'zod';
import { REPORT_GROUP_BYS } from '../../domain/reports/report.js';
import { reportCsv, reportCsvFilename } from '../../usecases/report-csv.js';
import { route } from '../route-kit.js';
import type { Services } from '../services.js';

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date written YYYY-MM-DD');

export const ReportQuery = z
  .object({
    from: IsoDate.describe('first local date of the period, included'),
    to: IsoDate.describe('last local date of the period, included (at most 400 days after from)'),
    groupBy: z.enum(REPORT_GROUP_BYS).default('channel'),
    tz: z.string().min(1).max(64).optional().describe('IANA time zone of the days (default: REPORT_TIME_ZONE, Asia/Bangkok)'),
    segmentId: z.string().min(1).max(64).optional().describe("limits the figures to a segment's current members"),
  })
  .strict();

type ReportQueryInput = z.infer<typeof ReportQuery>;

const SUMMARY =
  'per group over whole local days: conversations, first response time, resolution time (averages, estimated medians and ' +
  '90th percentiles), handle time, SLA attainment, abandonment, CSAT, campaign sends and replies; with a daily series. ' +
  'Conversations count in the day they were created.';

export function reportRoutes(s: Services) {
  const build = (q: ReportQueryInput) => s.reports({ from: q.from, to: q.to, groupBy: q.groupBy, timeZone: q.tz, segmentId: q.segmentId });
  return [
    route({
      method: 'get',
      path: '/reports/settings',
      summary: "The desk's report time zone (REPORT_TIME_ZONE): the rollup counts its local days, and a report without tz uses it",
      tag: 'reports',
      role: 'supervisor',
      handler: async () => ({ timeZone: s.reportTimeZone }),
    }),
    route<undefined, ReportQueryInput>({
      method: 'get',
      path: '/reports',
      summary: `A report: ${SUMMARY}`,
      tag: 'reports',
      role: 'supervisor',
      query: ReportQuery,
      handler: ({ query }) => build(query),
    }),
    route<undefined, ReportQueryInput>({
      method: 'get',
      path: '/reports.csv',
      summary: `The same report as CSV (UTF-8 with a byte-order mark; durations in seconds; a closing Total line): ${SUMMARY}`,
      tag: 'reports',
      role: 'supervisor',
      query: ReportQuery,
      handler: async ({ query, res }) => {
        const report = await build(query);
        res.setHeader('Content-Type', 'text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="${reportCsvFilename(report)}"`);
        res.setHeader('Cache-Control', 'no-store');
        res.send(reportCsv(report));
        return undefined;
      },
    }),
  ];
}
