// Canned responses: replies admins and supervisors prepare, which agents find by `/shortcut` and send
// with the customer's data filled in. The body is a handlebars template compiled from this trusted
// input only (never from customers), with built-in helpers only and no HTML escaping (chat text is
// plain text; the console renders it as text). The customer's data is the context, never the template.
import Handlebars from 'handlebars';
import { isUniqueViolation } from '../../db/connection.js';
import type { CannedResponse, CannedResponsePatch, NewCannedResponse } from '../../db/stores/canned-responses.store.js';
import { AppError, forbidden, invalidField, notFound } from '../domain/errors.js';
import { canViewConversation, type Actor } from '../domain/policy.js';
import type { Deps } from './deps.js';

const templates = Handlebars.create();
const COMPILE = { noEscape: true, knownHelpersOnly: true, strict: false } as const;

/** Fails with a clear VALIDATION error when `body` is not a valid template. */
export function checkTemplate(body: string): void {
  try {
    templates.precompile(body, COMPILE);
  } catch (err) {
    const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw invalidField('body.body', `is not a valid template: ${detail}`);
  }
}

/** What a template may use: `{{customer.name}}`, `{{customer.firstName}}`, `{{agent.name}}`… */
export interface TemplateContext {
  customer: { name: string; firstName: string; email: string; phone: string; locale: string };
  agent: { name: string; firstName: string };
  conversation: { id: string; channel: string; subject: string };
}

export const TEMPLATE_PLACEHOLDERS = [
  'customer.name',
  'customer.firstName',
  'customer.email',
  'customer.phone',
  'customer.locale',
  'agent.name',
  'agent.firstName',
  'conversation.id',
  'conversation.channel',
  'conversation.subject',
] as const;

export function renderTemplate(body: string, context: TemplateContext): string {
  return templates.compile(body, COMPILE)(context).trim();
}

const firstName = (name: string) => name.trim().split(/\s+/)[0] ?? '';

export function makeManageCannedResponses(deps: Deps) {
  const { store } = deps;
  const shortcutTaken = (shortcut: string) => new AppError('CONFLICT', `the shortcut "/${shortcut}" is taken; choose another`);

  const audit = (actor: Actor, action: string, id: string, data: Record<string, unknown>) =>
    store.audit.record({ actorType: 'user', actorId: actor.id, action, targetType: 'canned_response', targetId: id, data }, deps.now());

  async function withUniqueShortcut<T>(shortcut: string | undefined, id: string | undefined, work: () => Promise<T>): Promise<T> {
    if (shortcut !== undefined) {
      const holder = await store.cannedResponses.findByShortcut(shortcut);
      if (holder && holder.id !== id) throw shortcutTaken(shortcut);
    }
    try {
      return await work();
    } catch (err) {
      if (shortcut !== undefined && isUniqueViolation(err)) throw shortcutTaken(shortcut);
      throw err;
    }
  }

  return {
    list: (query?: string): Promise<CannedResponse[]> => store.cannedResponses.list(query),

    async create(actor: Actor, input: NewCannedResponse): Promise<CannedResponse> {
      checkTemplate(input.body);
      const created = await withUniqueShortcut(input.shortcut, undefined, () => store.cannedResponses.create(input, actor.id, deps.now()));
      await audit(actor, 'canned_response.create', created.id, { shortcut: created.shortcut });
      return created;
    },

    async update(actor: Actor, id: string, patch: CannedResponsePatch): Promise<CannedResponse> {
      if (patch.body !== undefined) checkTemplate(patch.body);
      const updated = await withUniqueShortcut(patch.shortcut, id, () => store.cannedResponses.update(id, patch, deps.now()));
      if (!updated) throw notFound('canned response');
      await audit(actor, 'canned_response.update', id, { fields: Object.keys(patch) });
      return updated;
    },

    async remove(actor: Actor, id: string): Promise<void> {
      if (!(await store.cannedResponses.remove(id))) throw notFound('canned response');
      await audit(actor, 'canned_response.delete', id, {});
    },

    /** The response's text for one conversation, placeholders filled, for the agent to check and send. */
    async render(actor: Actor, id: string, conversationId: string): Promise<{ text: string; cannedResponse: CannedResponse }> {
      const canned = await store.cannedResponses.findById(id);
      if (!canned) throw notFound('canned response');
      const conversation = await store.conversations.findById(conversationId);
      if (!conversation) throw invalidField('body.conversationId', 'no conversation has this id');
      if (!canViewConversation(actor, conversation)) throw forbidden('this conversation is assigned to another agent');
      const [customer, identities, agent] = await Promise.all([
        store.customers.findById(conversation.customerId),
        store.customers.identities(conversation.customerId),
        store.users.findById(actor.id),
      ]);
      const identity = (kind: string) => identities.find((i) => i.kind === kind)?.value ?? '';
      const customerName = customer?.name ?? '';
      const context: TemplateContext = {
        customer: {
          name: customerName,
          firstName: firstName(customerName),
          // A visitor's typed email is kept unverified on the profile; in a reply to them it is fine.
          email: identity('email') || String(customer?.attributes.unverifiedEmail ?? ''),
          phone: identity('phone'),
          locale: customer?.locale ?? '',
        },
        agent: { name: agent?.name ?? '', firstName: firstName(agent?.name ?? '') },
        conversation: { id: conversation.id, channel: conversation.channelKind, subject: conversation.subject ?? '' },
      };
      return { text: renderTemplate(canned.body, context), cannedResponse: canned };
    },
  };
}
