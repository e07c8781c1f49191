// One campaign message to one recipient, in one transaction: the recipient's row moves from pending to
// sent (a compare-and-set, so two nodes or a restart never send it twice), the rate limit's slot is
// taken, the message is written in the customer's conversation on the campaign's channel account (their
// unresolved one, or a new one that stays resolved until they answer, so it waits for no agent) and
// queued in the outbox. Or the row becomes skipped, with the reason. Nothing is half done.
import type { CampaignState } from '../../../db/stores/campaigns.store.js';
import type { Stores } from '../../../db/store.js';
import { WriteConflict } from '../../../db/connection.js';
import { campaignEligibility, takeSlot, type SkipReason } from '../../domain/crm/campaign.js';
import type { ChannelAccount, Conversation, Customer, CustomerIdentity, Message } from '../../domain/types.js';
import type { DomainEvent } from '../../domain/events.js';
import { renderTemplate, type TemplateContext } from '../manage-canned-responses.js';
import type { Deps } from '../deps.js';
import { queueSystemMessage } from '../send-system-reply.js';

export type SendOutcome =
  | { kind: 'sent'; message: Message }
  | { kind: 'skipped'; reason: SkipReason }
  /** The rate limit's next slot is later: come back then. */
  | { kind: 'wait'; until: number }
  /** Nothing to do: the row is no longer pending, or the campaign stopped running. */
  | { kind: 'gone' };

/** The scope a channel account gives its customers' channel ids (see channels/<kind>/inbound.ts). */
export function identityScopeOf(account: ChannelAccount): string {
  if (account.kind === 'line') return String(account.settings.channelId ?? '');
  if (account.kind === 'messenger') return String(account.settings.pageId ?? '');
  return account.id;
}

const firstName = (name: string) => name.trim().split(/\s+/)[0] ?? '';

/** What a campaign template may use: the canned responses' context plus the profile's details. */
export function campaignContext(
  customer: Customer,
  identities: CustomerIdentity[],
  conversation: { id: string; channel: string; subject: string },
): TemplateContext & { customer: { attributes: Record<string, unknown>; tier: string; vip: boolean; tags: string[] } } {
  const identity = (kind: string) => identities.find((i) => i.kind === kind)?.value ?? '';
  const name = customer.name ?? '';
  return {
    customer: {
      name,
      firstName: firstName(name),
      email: identity('email'),
      phone: identity('phone'),
      locale: customer.locale ?? '',
      attributes: customer.attributes,
      tier: customer.valueTier ?? '',
      vip: customer.vip,
      tags: customer.tags,
    },
    agent: { name: '', firstName: '' },
    conversation,
  };
}

export const CAMPAIGN_PLACEHOLDERS = [
  'customer.name',
  'customer.firstName',
  'customer.email',
  'customer.phone',
  'customer.locale',
  'customer.tier',
  'customer.vip',
  'customer.attributes.<key>',
] as const;

export function makeSendCampaignMessage(deps: Deps) {
  return async function sendCampaignMessage(campaignId: string, sendId: string, account: ChannelAccount): Promise<SendOutcome> {
    const events: DomainEvent[] = [];
    const outcome = await deps.store.transaction(async (tx): Promise<SendOutcome> => {
      events.length = 0;
      const now = deps.now();
      const campaign = await tx.campaigns.findById(campaignId);
      const send = await tx.campaigns.findSend(sendId);
      if (!campaign || campaign.status !== 'running' || !send || send.status !== 'pending') return { kind: 'gone' };
      const customer = await tx.customers.findById(send.customerId);
      if (!customer) return { kind: 'gone' };
      // One after another: a transaction is one connection.
      const consents = await tx.consents.list(customer.id);
      const identities = await tx.customers.identities(customer.id);
      const unresolved = await tx.conversations.findUnresolved(customer.id, account.id);
      const lastResolved = unresolved ? undefined : await tx.conversations.findLastResolved(customer.id, account.id);
      const verdict = campaignEligibility(
        {
          channelKind: account.kind,
          scope: identityScopeOf(account),
          consent: consents.find((c) => c.channel === account.kind),
          identities,
          merged: customer.mergedInto !== null,
          lastCustomerMessageAt: (unresolved ?? lastResolved)?.lastCustomerMessageAt ?? null,
        },
        now,
      );
      if (!verdict.send) {
        return (await tx.campaigns.markSkipped(send.id, verdict.reason, now))
          ? { kind: 'skipped', reason: verdict.reason }
          : { kind: 'gone' };
      }
      const subject = unresolved ? (unresolved.subject ?? '') : campaignSubject(campaign, customer, identities, account.kind);
      const text = render(campaign, customer, identities, { id: unresolved?.id ?? '', channel: account.kind, subject });
      if (!text)
        return (await tx.campaigns.markSkipped(send.id, 'empty_message', now))
          ? { kind: 'skipped', reason: 'empty_message' }
          : { kind: 'gone' };
      const slot = takeSlot(campaign.nextSlotAt, now, campaign.ratePerMinute);
      if (slot === null) return { kind: 'wait', until: campaign.nextSlotAt };
      // Another sender took this slot first: start over, and find the next one.
      if (!(await tx.campaigns.advanceSlot(campaign.id, campaign.nextSlotAt, slot))) throw new WriteConflict('campaign rate slot');
      const conversation = unresolved ?? (await startConversation(tx, subject, customer, account, now, events));
      const meta = { campaign: { campaignId: campaign.id, name: campaign.name, sendId: send.id } };
      const queued = await queueSystemMessage(tx, conversation, text, meta, now);
      const { message } = queued;
      if (!(await tx.campaigns.markSent(send.id, conversation.id, message.id, now))) throw new WriteConflict('campaign recipient');
      events.push(...queued.events);
      return { kind: 'sent', message };
    });
    if (outcome.kind === 'sent') deps.events.publish(...events);
    return outcome;
  };
}

function render(
  campaign: CampaignState,
  customer: Customer,
  identities: CustomerIdentity[],
  conversation: { id: string; channel: string; subject: string },
): string {
  return renderTemplate(campaign.template, campaignContext(customer, identities, conversation));
}

/** The subject of a conversation the campaign starts (and its preview): its subject template for this customer, else its name. */
export function campaignSubject(
  campaign: Pick<CampaignState, 'subject' | 'name'>,
  customer: Customer,
  identities: CustomerIdentity[],
  channel: ChannelAccount['kind'],
): string {
  const rendered =
    campaign.subject && renderTemplate(campaign.subject, campaignContext(customer, identities, { id: '', channel, subject: '' }));
  return (rendered || campaign.name).replace(/\s+/g, ' ').trim().slice(0, 200);
}

/**
 * A conversation for a customer with none open on the account: created resolved, so it waits for no
 * agent; their answer reopens it (within the reopen window) and routes it like any customer message.
 */
async function startConversation(
  tx: Stores,
  subject: string,
  customer: Customer,
  account: ChannelAccount,
  now: number,
  events: DomainEvent[],
): Promise<Conversation> {
  const created = await tx.conversations.create(
    { customerId: customer.id, channelAccountId: account.id, channelKind: account.kind, subject },
    now,
  );
  const resolved = (await tx.conversations.update(created.id, { status: 'resolved', resolvedAt: now }, now))!;
  events.push({ type: 'conversation.created', conversation: resolved });
  return resolved;
}
