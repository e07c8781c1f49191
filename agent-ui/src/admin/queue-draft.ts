// A queue as the form edits it (text as typed, durations with units) and back to the API's body.
// Pure: the form holds a draft; only a successful save replaces the stored queue.
import { QUEUE_DEFAULTS, type RoutingStrategy } from '../../../server/domain/routing/types.js';
import type { ChannelKind } from '../../../server/domain/types.js';
import type { Queue, QueueBody } from './admin-api';
import { durationOf, msOf, type Duration } from './DurationField';
import type { SkillRow } from './SkillRows';

export interface Interval {
  from: string;
  to: string;
}

export const SLA_BANDS = ['0', '1', '2', '3'] as const;
export type SlaBand = (typeof SLA_BANDS)[number];

export interface SlaDraft {
  on: boolean;
  firstResponse: Duration;
  resolution: Duration;
}

export interface HoursDraft {
  on: boolean;
  timeZone: string;
  /** Sunday first, as the API has it. */
  week: Interval[][];
  holidays: string[];
}

export interface QueueDraft {
  name: string;
  channels: ChannelKind[];
  requiredSkills: SkillRow[];
  strategy: RoutingStrategy;
  priority: string;
  agingPerMinute: string;
  offerTimeout: Duration;
  autoAccept: boolean;
  wrapUp: Duration;
  maxMisses: string;
  sticky: Duration;
  overflow: { on: boolean; after: Duration; toQueueId: string };
  hours: HoursDraft;
  afterHours: { action: 'keep_queued' | 'auto_reply'; message: Record<string, string> };
  sla: Record<SlaBand, SlaDraft>;
  serviceLevel: Duration;
  serviceLevelPercent: string;
}

const OFFICE_DAY: Interval[] = [{ from: '09:00', to: '18:00' }];
/** What "set opening hours" starts from: Monday to Friday, nine to six. */
export const OFFICE_WEEK: Interval[][] = [[], OFFICE_DAY, OFFICE_DAY, OFFICE_DAY, OFFICE_DAY, OFFICE_DAY, []];

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Bangkok';
}

const DEFAULT_SLA: SlaDraft = { on: false, firstResponse: { amount: '15', unit: 'min' }, resolution: { amount: '8', unit: 'h' } };

export function draftOf(queue: Queue | null): QueueDraft {
  const q = queue ?? { ...QUEUE_DEFAULTS, name: '' };
  const sla = Object.fromEntries(
    SLA_BANDS.map((band) => {
      const target = q.sla?.[Number(band)];
      return [
        band,
        target ? { on: true, firstResponse: durationOf(target.firstResponseMs), resolution: durationOf(target.resolutionMs) } : DEFAULT_SLA,
      ];
    }),
  ) as Record<SlaBand, SlaDraft>;
  return {
    name: q.name,
    channels: [...q.channels],
    requiredSkills: q.requiredSkills.map((r) => ({ skill: r.skill, level: String(r.minLevel) })),
    strategy: q.strategy,
    priority: String(q.priority),
    agingPerMinute: String(q.agingPerMinute),
    offerTimeout: durationOf(q.offerTimeoutMs),
    autoAccept: q.autoAccept,
    wrapUp: durationOf(q.wrapUpMs),
    maxMisses: String(q.maxMisses),
    sticky: durationOf(q.stickyMs, 'h'),
    overflow: {
      on: q.overflow !== null,
      after: durationOf(q.overflow?.afterMs ?? 300_000),
      toQueueId: q.overflow?.toQueueId ?? '',
    },
    hours: q.businessHours
      ? { on: true, timeZone: q.businessHours.timeZone, week: q.businessHours.week, holidays: q.businessHours.holidays }
      : { on: false, timeZone: browserTimeZone(), week: OFFICE_WEEK, holidays: [] },
    afterHours:
      q.afterHours.action === 'auto_reply'
        ? { action: 'auto_reply', message: q.afterHours.message }
        : { action: 'keep_queued', message: {} },
    sla,
    serviceLevel: durationOf(q.serviceLevelMs),
    serviceLevelPercent: String(Math.round(q.serviceLevelTarget * 1000) / 10),
  };
}

/** A number as typed; blank or junk is NaN, which JSON sends as null and the API names the field. */
const numberOf = (text: string) => (text.trim() === '' ? NaN : Number(text));

export function bodyOf(d: QueueDraft): QueueBody {
  const sla = Object.fromEntries(
    SLA_BANDS.filter((band) => d.sla[band].on).map((band) => [
      band,
      { firstResponseMs: msOf(d.sla[band].firstResponse), resolutionMs: msOf(d.sla[band].resolution) },
    ]),
  );
  // Languages left blank are not sent; the API asks for at least one.
  const message = Object.fromEntries(Object.entries(d.afterHours.message).filter(([, text]) => text.trim() !== ''));
  return {
    name: d.name,
    channels: d.channels,
    requiredSkills: d.requiredSkills.map((r) => ({ skill: r.skill.trim(), minLevel: numberOf(r.level) })),
    strategy: d.strategy,
    priority: numberOf(d.priority),
    agingPerMinute: numberOf(d.agingPerMinute),
    offerTimeoutMs: msOf(d.offerTimeout),
    autoAccept: d.autoAccept,
    wrapUpMs: msOf(d.wrapUp),
    maxMisses: numberOf(d.maxMisses),
    stickyMs: msOf(d.sticky),
    overflow: d.overflow.on ? { afterMs: msOf(d.overflow.after), ...(d.overflow.toQueueId && { toQueueId: d.overflow.toQueueId }) } : null,
    businessHours: d.hours.on ? { timeZone: d.hours.timeZone.trim(), week: d.hours.week, holidays: d.hours.holidays } : null,
    afterHours: d.afterHours.action === 'auto_reply' ? { action: 'auto_reply', message } : { action: 'keep_queued' },
    sla: Object.keys(sla).length > 0 ? sla : null,
    serviceLevelMs: msOf(d.serviceLevel),
    serviceLevelTarget: numberOf(d.serviceLevelPercent) / 100,
  };
}
