// Campaigns as admins see them: create and change one (a segment, a channel account, a template, a
// schedule or a trigger, a rate), preview its message for a sample customer, schedule, pause, resume
// or end it, and read its numbers. The sending itself is the campaign runner's (server/outbox).
import type { CampaignPatch, CampaignState, CampaignStats, NewCampaign, SendStatus } from '../../../db/stores/campaigns.store.js';
import { isCampaignChannel, nextStatus, type Campaign, type CampaignAction, type CampaignStatus } from '../../domain/crm/campaign.js';
import { AppError, invalidField, notFound } from '../../domain/errors.js';
import type { Actor } from '../../domain/policy.js';
import { checkTemplate, renderTemplate } from '../manage-canned-responses.js';
import type { Deps } from '../deps.js';
import { campaignContext, campaignSubject } from './send-campaign-message.js';

/** A campaign as the API shows it: without the runner's bookkeeping, with its numbers. */
export type CampaignView = Campaign & { stats: CampaignStats };

const EDITABLE: CampaignStatus[] = ['draft', 'scheduled', 'paused'];

const view = ({ nextSlotAt: _n, audienceCursor: _c, audienceDoneAt: _d, scannedAt: _s, ...c }: CampaignState, stats: CampaignStats) => ({
  ...c,
  stats,
});

/** `changed`: a campaign was started, paused or ended (the runner on this node looks now rather than at its next poll). */
export function makeManageCampaigns(deps: Deps, changed: () => void = () => undefined) {
  const { store } = deps;

  const audit = (actor: Actor, action: string, id: string, data: Record<string, unknown>) =>
    store.audit.record({ actorType: 'user', actorId: actor.id, action, targetType: 'campaign', targetId: id, data }, deps.now());

  async function withStats(c: CampaignState): Promise<CampaignView> {
    return view(c, await store.campaigns.stats(c.id, c.channelAccountId));
  }

  async function found(id: string): Promise<CampaignState> {
    const c = await store.campaigns.findById(id);
    if (!c) throw notFound('campaign');
    return c;
  }

  /** The checks a campaign's fields must pass, each naming its field. */
  async function check(input: CampaignPatch): Promise<void> {
    for (const field of ['template', 'subject'] as const) {
      const text = input[field];
      if (typeof text !== 'string') continue;
      try {
        checkTemplate(text);
      } catch (err) {
        throw invalidField(`body.${field}`, err instanceof AppError ? err.message.replace(/^body\.body: /, '') : String(err));
      }
    }
    if (input.channelAccountId !== undefined) {
      const account = await store.channelAccounts.findById(input.channelAccountId);
      if (!account) throw invalidField('body.channelAccountId', 'no channel account has this id');
      if (!isCampaignChannel(account.kind)) {
        throw invalidField('body.channelAccountId', `campaigns go by SMS, email, LINE, Messenger or web chat; not by ${account.kind}`);
      }
    }
    if (input.segmentId && !(await store.campaignAudience.segmentExists(input.segmentId))) {
      throw invalidField('body.segmentId', 'no segment has this id');
    }
  }

  return {
    async list(): Promise<CampaignView[]> {
      return Promise.all((await store.campaigns.list()).map(withStats));
    },

    async get(id: string): Promise<CampaignView> {
      return withStats(await found(id));
    },

    async create(actor: Actor, input: NewCampaign): Promise<CampaignView> {
      await check(input);
      const created = await store.campaigns.create(input, actor.id, deps.now());
      await audit(actor, 'campaign.create', created.id, { name: created.name, trigger: created.trigger.kind });
      return withStats(created);
    },

    /** Changes a campaign that is not sending (a draft, a scheduled or a paused one). */
    async update(actor: Actor, id: string, patch: CampaignPatch): Promise<CampaignView> {
      const current = await found(id);
      await check(patch);
      if (patch.trigger && patch.trigger.kind !== current.trigger.kind && current.status !== 'draft') {
        throw new AppError('CONFLICT', 'a campaign that has started keeps its kind of trigger; make a new campaign');
      }
      if (!(await store.campaigns.update(id, patch, EDITABLE, deps.now()))) {
        throw new AppError('CONFLICT', `a ${current.status} campaign cannot be changed; pause it first`, { status: current.status });
      }
      await audit(actor, 'campaign.update', id, { fields: Object.keys(patch) });
      return withStats((await store.campaigns.findById(id))!);
    },

    /** Schedule (or start), pause, resume or end a campaign. */
    async act(actor: Actor, id: string, action: CampaignAction): Promise<CampaignView> {
      const current = await found(id);
      const now = deps.now();
      const to = nextStatus(current, action, now);
      if (!to) throw new AppError('CONFLICT', `a ${current.status} campaign cannot be asked to ${action}`, { status: current.status });
      if (action === 'schedule' && current.segmentId && !(await store.campaignAudience.segmentExists(current.segmentId))) {
        throw new AppError('CONFLICT', 'the campaign’s segment no longer exists; choose another');
      }
      const moved = await store.campaigns.setStatus(id, current.status, to, now, {
        ...(to === 'running' && { startedAt: now }),
        ...(to === 'done' && { finishedAt: now }),
      });
      if (!moved) throw new AppError('CONFLICT', 'the campaign changed meanwhile; reload it');
      await audit(actor, `campaign.${action}`, id, { from: current.status, to });
      changed();
      return withStats((await store.campaigns.findById(id))!);
    },

    /** The template's text for one customer: the one named, or the first of the segment's audience. */
    async preview(input: {
      template: string;
      subject?: string | null;
      channelAccountId: string;
      segmentId: string | null;
      customerId?: string;
    }) {
      await check({
        template: input.template,
        subject: input.subject,
        channelAccountId: input.channelAccountId,
        segmentId: input.segmentId,
      });
      const account = (await store.channelAccounts.findById(input.channelAccountId))!;
      const now = deps.now();
      const sampleId = input.customerId ?? (await store.campaignAudience.page(input.segmentId, null, 1, now))[0];
      const customer = sampleId ? await store.customers.findById(sampleId) : undefined;
      if (input.customerId && !customer) throw invalidField('body.customerId', 'no customer has this id');
      const audience = await store.campaignAudience.count(input.segmentId, now);
      if (!customer) return { text: null, subject: null, customer: null, audience };
      const identities = await store.customers.identities(customer.id);
      const context = campaignContext(customer, identities, { id: '', channel: account.kind, subject: '' });
      // Email: the subject of the conversation it starts, as the customer will see it (a reply keeps theirs).
      const subject =
        account.kind === 'email' && input.subject
          ? campaignSubject({ subject: input.subject, name: '' }, customer, identities, account.kind)
          : null;
      return { text: renderTemplate(input.template, context), subject, customer: { id: customer.id, name: customer.name }, audience };
    },

    /** Recipients with what became of each, in the order they were added. */
    async recipients(id: string, opts: { status?: SendStatus; limit: number; after?: string }) {
      await found(id);
      const sends = await store.campaigns.sends(id, opts);
      const customers = new Map((await store.customers.findManyByIds(sends.map((s) => s.customerId))).map((c) => [c.id, c]));
      return sends.map((s) => ({ ...s, customerName: customers.get(s.customerId)?.name ?? null }));
    },
  };
}

export type ManageCampaigns = ReturnType<typeof makeManageCampaigns>;
