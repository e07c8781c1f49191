import { z } from 'zod';
import type { CampaignPatch, NewCampaign, SendStatus } from '../../../db/stores/campaigns.store.js';
import { MAX_RATE_PER_MINUTE, type CampaignAction } from '../../domain/crm/campaign.js';
import { CAMPAIGN_PLACEHOLDERS } from '../../usecases/crm/send-campaign-message.js';
import { route } from '../route-kit.js';
import type { Services } from '../services.js';

const Id = z.string().min(1).max(64);
const Trigger = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('once') }).strict(),
  z
    .object({
      kind: z.literal('after_purchase'),
      delayHours: z
        .number()
        .int()
        .min(0)
        .max(24 * 730),
    })
    .strict()
    .describe('a service reminder delayHours after each order'),
  z
    .object({ kind: z.literal('silent_for_days'), days: z.number().int().min(1).max(3650) })
    .strict()
    .describe('a win-back to a customer silent for `days` days'),
  z
    .object({
      kind: z.literal('activity_dropped'),
      windowDays: z.number().int().min(1).max(365),
      dropPercent: z.number().int().min(1).max(100),
    })
    .strict()
    .describe("a win-back when the customer's orders in the last windowDays fell by dropPercent against the window before"),
]);
const Fields = {
  name: z.string().trim().min(1).max(120),
  segmentId: Id.nullable().describe('the segment it goes to; null = every customer'),
  channelAccountId: Id,
  subject: z.string().trim().min(1).max(200).nullable().describe('email: the subject (default: the name)'),
  template: z.string().trim().min(1).max(4000).describe('handlebars, e.g. "Hi {{customer.firstName}}"'),
  trigger: Trigger,
  sendAt: z.number().int().positive().nullable().describe('a one-off campaign: when it starts (epoch ms); null = when scheduled'),
  ratePerMinute: z.number().int().min(1).max(MAX_RATE_PER_MINUTE),
};
const onlyOnceHasSendAt = (b: { trigger?: { kind: string }; sendAt?: number | null }) =>
  !(b.sendAt != null && b.trigger && b.trigger.kind !== 'once');
const NewBody = z
  .object({
    ...Fields,
    segmentId: Fields.segmentId.default(null),
    subject: Fields.subject.default(null),
    trigger: Trigger.default({ kind: 'once' }),
    sendAt: Fields.sendAt.default(null),
    ratePerMinute: Fields.ratePerMinute.default(60),
  })
  .strict()
  .refine(onlyOnceHasSendAt, { message: 'sendAt is for one-off campaigns; a trigger sends when it fires', path: ['sendAt'] });
const PatchBody = z
  .object(Fields)
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'name at least one field to change')
  .refine(onlyOnceHasSendAt, { message: 'sendAt is for one-off campaigns; a trigger sends when it fires', path: ['sendAt'] });
const PreviewBody = z
  .object({
    template: Fields.template,
    subject: Fields.subject.optional(),
    channelAccountId: Id,
    segmentId: Fields.segmentId.default(null),
    customerId: Id.optional(),
  })
  .strict();
const RecipientsQuery = z
  .object({
    status: z.enum(['pending', 'sent', 'skipped']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    after: Id.optional(),
  })
  .strict();

const ACTIONS: { action: CampaignAction; summary: string }[] = [
  { action: 'schedule', summary: 'Schedule a draft campaign (a one-off one with a future sendAt waits for it; the others start now)' },
  { action: 'pause', summary: 'Pause a scheduled or running campaign (nothing more is sent until it is resumed)' },
  { action: 'resume', summary: 'Resume a paused campaign, at its rate' },
  { action: 'end', summary: 'End a campaign for good (a trigger stops firing; pending recipients are not sent)' },
];

export function campaignRoutes(s: Services) {
  return [
    route({
      method: 'get',
      path: '/campaigns',
      summary: 'List campaigns with their numbers (targeted, sent, skipped by reason, failed, delivered, replied)',
      tag: 'campaigns',
      role: 'supervisor',
      handler: async () => ({ campaigns: await s.campaigns.list(), placeholders: CAMPAIGN_PLACEHOLDERS }),
    }),
    route({
      method: 'post',
      path: '/campaigns',
      summary: 'Create a campaign (a draft): a segment, a channel account, a handlebars template, a schedule or a trigger, a rate',
      tag: 'campaigns',
      role: 'admin',
      status: 201,
      body: NewBody,
      handler: async ({ user, body }) => ({ campaign: await s.campaigns.create(user, body as NewCampaign) }),
    }),
    route({
      method: 'post',
      path: '/campaigns/preview',
      summary: "A template's text for a sample customer (the one named, or the first of the segment), and the audience's size",
      tag: 'campaigns',
      role: 'admin',
      body: PreviewBody,
      handler: async ({ body }) => s.campaigns.preview(body as z.infer<typeof PreviewBody>),
    }),
    route({
      method: 'get',
      path: '/campaigns/:id',
      summary: 'One campaign with its numbers',
      tag: 'campaigns',
      role: 'supervisor',
      handler: async ({ params }) => ({ campaign: await s.campaigns.get(params.id!) }),
    }),
    route({
      method: 'patch',
      path: '/campaigns/:id',
      summary: 'Change a draft, scheduled or paused campaign',
      tag: 'campaigns',
      role: 'admin',
      body: PatchBody,
      handler: async ({ user, params, body }) => ({ campaign: await s.campaigns.update(user, params.id!, body as CampaignPatch) }),
    }),
    route({
      method: 'get',
      path: '/campaigns/:id/recipients',
      summary: 'Recipients and what became of each (pending, sent with its message, skipped with the reason)',
      tag: 'campaigns',
      role: 'supervisor',
      query: RecipientsQuery,
      handler: async ({ params, query }) => {
        const q = query as z.infer<typeof RecipientsQuery>;
        return { recipients: await s.campaigns.recipients(params.id!, { ...q, status: q.status as SendStatus | undefined }) };
      },
    }),
    ...ACTIONS.map(({ action, summary }) =>
      route({
        method: 'post',
        path: `/campaigns/:id/${action}`,
        summary,
        tag: 'campaigns',
        role: 'admin',
        handler: async ({ user, params }) => ({ campaign: await s.campaigns.act(user, params.id!, action) }),
      }),
    ),
  ];
}
