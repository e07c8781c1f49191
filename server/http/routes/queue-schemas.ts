// Strict request schemas for queues and agents' routing profiles. They check shapes and ranges;
// the use cases check what needs the database (a queue or user that exists, a name not taken).
import { z } from 'zod';
import { CAPACITY_CLASSES, ROUTING_STRATEGIES } from '../../domain/routing/types.js';
import { CHANNEL_KINDS } from '../../domain/types.js';

const SECOND = 1_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const ms = (min: number, max: number) => z.number().int().min(min).max(max);
const Id = z.string().min(1).max(64);

/** Adds an issue at each later duplicate of `keyOf`, so the message points at the repeated entry. */
const unique =
  <T>(keyOf: (item: T) => string, what: string) =>
  (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const key = keyOf(item);
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i], message: `${what} ${key} is listed twice` });
      seen.add(key);
    });
  };

export const SkillName = z.string().regex(/^[a-z0-9_-]{1,40}$/, 'skill names are 1-40 characters of a-z, 0-9, _ and -');
const SkillLevel = z.number().int().min(1, 'levels go from 1 (basic)').max(10, 'levels go up to 10 (expert)');

const SkillRequirement = z.object({ skill: SkillName, minLevel: SkillLevel }).strict();

function canonicalTimeZone(tz: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

const Clock = z.string().regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, 'a time of day is HH:MM, from 00:00 to 24:00');
const Interval = z
  .object({ from: Clock, to: Clock })
  .strict()
  .refine((i) => i.from < i.to, { path: ['to'], message: 'must be later than from' });
const Day = z
  .array(Interval)
  .max(12)
  .superRefine((intervals, ctx) => {
    const sorted = intervals.map((iv, i) => ({ ...iv, i })).sort((a, b) => a.from.localeCompare(b.from));
    for (let k = 1; k < sorted.length; k++) {
      if (sorted[k]!.from < sorted[k - 1]!.to) {
        ctx.addIssue({ code: 'custom', path: [sorted[k]!.i, 'from'], message: 'overlaps another interval of the same day' });
      }
    }
  });

export const BusinessHours = z
  .object({
    timeZone: z
      .string()
      .max(64)
      .refine((tz) => canonicalTimeZone(tz) !== undefined, 'not a time zone; use an IANA name such as Asia/Bangkok')
      .transform((tz) => canonicalTimeZone(tz)!),
    week: z.array(Day).length(7, 'give 7 days, Sunday first; an empty day is closed'),
    holidays: z.array(z.iso.date('a holiday is a date YYYY-MM-DD')).max(366).default([]),
  })
  .strict();

const SlaTarget = z
  .object({ firstResponseMs: ms(SECOND, 365 * DAY), resolutionMs: ms(SECOND, 365 * DAY) })
  .strict()
  .refine((t) => t.firstResponseMs <= t.resolutionMs, { path: ['resolutionMs'], message: 'must not be shorter than firstResponseMs' });

export const SlaPolicy = z
  .partialRecord(z.enum(['0', '1', '2', '3']), SlaTarget)
  .refine((p) => Object.keys(p).length > 0, 'give targets for at least one priority band: "0" (normal) to "3" (urgent)');

const Overflow = z
  .object({
    afterMs: ms(SECOND, 7 * DAY),
    toQueueId: Id.optional().describe('the queue to move to; without it the required skill levels are dropped instead'),
  })
  .strict();

const Locale = z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a language code such as en or th');
const AfterHours = z.discriminatedUnion('action', [
  z.object({ action: z.literal('keep_queued') }).strict(),
  z
    .object({
      action: z.literal('auto_reply'),
      message: z
        .record(Locale, z.string().trim().min(1).max(2_000))
        .refine((m) => Object.keys(m).length > 0, 'give the reply in at least one language'),
    })
    .strict(),
]);

const queueFields = {
  name: z.string().trim().min(1).max(100),
  channels: z.array(z.enum(CHANNEL_KINDS)).min(1).superRefine(unique(String, 'channel')),
  requiredSkills: z
    .array(SkillRequirement)
    .max(50)
    .superRefine(unique((r) => r.skill, 'skill')),
  strategy: z.enum(ROUTING_STRATEGIES),
  priority: z.number().int().min(-100).max(100),
  agingPerMinute: z.number().min(0).max(100),
  offerTimeoutMs: ms(SECOND, 10 * 60 * SECOND),
  autoAccept: z.boolean(),
  wrapUpMs: ms(0, HOUR),
  maxMisses: z.number().int().min(0).max(100),
  stickyMs: ms(0, 30 * DAY),
  overflow: Overflow.nullable(),
  businessHours: BusinessHours.nullable(),
  afterHours: AfterHours,
  sla: SlaPolicy.nullable(),
  serviceLevelMs: ms(SECOND, 7 * DAY),
  serviceLevelTarget: z.number().gt(0).max(1),
};

const optional = <T extends Record<string, z.ZodType>>(fields: T) =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.optional()])) as { [K in keyof T]: z.ZodOptional<T[K]> };

const { name, ...settings } = queueFields;
export const NewQueueBody = z.object({ name, ...optional(settings) }).strict();
export const QueuePatchBody = z.object(optional(queueFields)).strict();

export const QueueMembersBody = z.object({ userIds: z.array(Id).max(1_000).superRefine(unique(String, 'user')) }).strict();

export const RoutingProfileBody = z
  .object({
    skills: z
      .record(SkillName, SkillLevel)
      .refine((s) => Object.keys(s).length <= 100, 'at most 100 skills')
      .optional(),
    capacity: z
      .object(
        Object.fromEntries(CAPACITY_CLASSES.map((c) => [c, z.number().int().min(0).max(50).optional()])) as Record<
          (typeof CAPACITY_CLASSES)[number],
          z.ZodOptional<z.ZodNumber>
        >,
      )
      .strict()
      .optional(),
    queueIds: z.array(Id).max(200).superRefine(unique(String, 'queue')).optional(),
  })
  .strict();
