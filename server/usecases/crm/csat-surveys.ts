// Satisfaction surveys (CSAT). When a conversation on an account with CSAT on is resolved, the customer
// is asked on the same channel: buttons in the chat widget, a signed link in an email, "reply 1-5" on
// SMS, LINE and Messenger. The survey message goes through the outbox like any reply, written in one
// transaction with the survey row, whose unique conversation id makes every node that hears the event
// agree on one survey. The score lands on the conversation, its agent and its customer.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { optOutRefusal } from '../../domain/consent.js';
import {
  isScore,
  scoreOfReply,
  surveyModeOf,
  surveyText,
  type AnsweredVia,
  type CsatScore,
  type CsatSettings,
  type CsatSurvey,
} from '../../domain/crm/csat.js';
import { AppError, forbidden, notFound } from '../../domain/errors.js';
import { messengerWindowRefusal } from '../../domain/messenger-window.js';
import { canViewConversation, hasRole, type Actor } from '../../domain/policy.js';
import type { Conversation, InboundMessage } from '../../domain/types.js';
import type { Deps } from '../deps.js';
import type { IngestResult, SurveyReplies } from '../ingest-message.js';
import { queueSystemMessage } from '../send-system-reply.js';

export interface CsatOptions {
  /** SecretBox.derive('csat-link'): signs the links in email surveys. */
  linkKey: Buffer;
  /** PUBLIC_URL: email surveys need it (the link points here). */
  publicUrl: string | undefined;
}

const RECENT = 20;
/** The routing leader asks the customers of conversations resolved this long ago or less that a crash left unasked. */
export const CSAT_CATCH_UP_MS = 6 * 3_600_000;
const CATCH_UP_BATCH = 500;

export function makeCsatSurveys(deps: Deps & { log: Logger }, options: CsatOptions) {
  const { store } = deps;
  const sign = (surveyId: string) => createHmac('sha256', options.linkKey).update(`csat\n${surveyId}`).digest('base64url').slice(0, 32);
  const tokenFor = (surveyId: string) => `${surveyId}.${sign(surveyId)}`;
  const linkFor = (surveyId: string) => (options.publicUrl ? `${options.publicUrl}/csat/${tokenFor(surveyId)}` : undefined);

  async function surveyOfToken(token: string): Promise<CsatSurvey> {
    const [id = '', signature = ''] = token.split('.');
    const given = Buffer.from(signature);
    const expected = Buffer.from(sign(id));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw notFound('survey');
    const survey = await store.csat.findById(id);
    if (!survey) throw notFound('survey');
    return survey;
  }

  /** Records the score once, marks it on the survey message, and tells whoever shows the conversation or customer. */
  async function record(survey: CsatSurvey, score: CsatScore, via: AnsweredVia, answerMessageId: string | null): Promise<CsatSurvey> {
    const now = deps.now();
    if (survey.score !== null) {
      if (survey.score === score) return survey;
      throw new AppError('CONFLICT', 'this survey was already answered', { score: survey.score });
    }
    if (survey.expiresAt <= now) throw new AppError('CONFLICT', 'this survey has closed');
    const done = await store.transaction(async (tx) => {
      if (!(await tx.csat.answer(survey.id, score, via, answerMessageId, now))) return undefined;
      const message = survey.messageId ? await tx.messages.findById(survey.messageId) : undefined;
      const updated =
        message?.meta?.csat && (await tx.messages.updateMeta(message.id, { ...message.meta, csat: { ...message.meta.csat, score } }, now));
      const conversation = (await tx.conversations.findById(survey.conversationId))!;
      const open = (await tx.conversations.allOf(conversation.customerId)).filter((c) => c.status !== 'resolved').map((c) => c.id);
      return { message: updated || undefined, conversation, open };
    });
    const answered = (await store.csat.findById(survey.id))!;
    if (!done) {
      if (answered.score === score) return answered;
      throw new AppError('CONFLICT', 'this survey was already answered', { score: answered.score });
    }
    if (done.message) deps.events.publish({ type: 'message.status', message: done.message, conversation: done.conversation });
    deps.events.publish({
      type: 'customer.updated',
      customerId: done.conversation.customerId,
      mergedInto: null,
      conversationIds: done.open,
    });
    return answered;
  }

  const surveyReplies: SurveyReplies = {
    async awaiting(inbound: InboundMessage, text: string): Promise<string | undefined> {
      if (surveyModeOf(inbound.channelKind) !== 'reply' || scoreOfReply(text) === null) return undefined;
      const customer = await store.customers.findByIdentity(inbound.sender.identity);
      if (!customer) return undefined;
      return (await store.csat.awaitingReply(customer.id, inbound.channelAccountId, deps.now()))?.conversationId;
    },
    async answered(result: IngestResult): Promise<void> {
      const score = scoreOfReply(result.message.text);
      const survey = await store.csat.findByConversation(result.message.conversationId);
      if (!score || !survey || survey.score !== null) return;
      await record(survey, score, 'reply', result.message.id).catch((err: unknown) => {
        if (!(err instanceof AppError)) throw err;
      });
    },
  };

  /** A conversation was resolved: ask its customer, if its account surveys and the channel can carry it. */
  async function conversationResolved(resolved: Conversation): Promise<CsatSurvey | undefined> {
    const mode = surveyModeOf(resolved.channelKind);
    // Nobody wrote (an outbound-only conversation, a campaign's): nobody to ask.
    if (!mode || resolved.lastCustomerMessageAt === null) return undefined;
    const settings = await store.csat.settings(resolved.channelAccountId);
    if (!settings.enabled) return undefined;
    if (mode === 'link' && !options.publicUrl) {
      deps.log.warn({ conversationId: resolved.id }, 'CSAT: an email survey needs PUBLIC_URL for its link; none sent');
      return undefined;
    }
    const written = await store.transaction(async (tx) => {
      const now = deps.now();
      const c = await tx.conversations.findById(resolved.id);
      if (!c || c.status !== 'resolved') return undefined;
      const consent = (await tx.consents.list(c.customerId)).find((x) => x.channel === c.channelKind);
      if (optOutRefusal(c.channelKind, consent)) return undefined;
      if (c.channelKind === 'messenger' && messengerWindowRefusal(c.lastCustomerMessageAt, now)) return undefined;
      const account = await tx.channelAccounts.findById(c.channelAccountId);
      if (!account?.active) return undefined;
      const survey = await tx.csat.create({
        conversationId: c.id,
        channelAccountId: c.channelAccountId,
        channelKind: c.channelKind,
        agentId: c.assigneeId,
        queueId: c.queueId,
        sentAt: now,
        expiresAt: now + settings.replyWindowHours * 3_600_000,
      });
      if (!survey) return undefined; // surveyed already (another node heard the same event)
      const customer = await tx.customers.findById(c.customerId);
      const text = surveyText(mode, customer?.locale ?? null, settings.questions, linkFor(survey.id));
      const { message, events } = await queueSystemMessage(tx, c, text, { csat: { surveyId: survey.id, mode, score: null } }, now);
      await tx.csat.setMessage(survey.id, message.id);
      return { survey: { ...survey, messageId: message.id }, events };
    });
    if (!written) return undefined;
    deps.events.publish(...written.events);
    return written.survey;
  }

  /**
   * Surveys a crash kept from being sent (the process died between the resolve and the survey's
   * transaction): conversations of surveying accounts resolved in the last `withinMs` with none.
   */
  async function catchUp(withinMs = CSAT_CATCH_UP_MS): Promise<number> {
    const since = deps.now() - withinMs;
    let sent = 0;
    // Page by page: conversations that cannot be asked (an opt-out, a closed window) stay unsurveyed
    // and must not hide the ones after them.
    for (let after: { resolvedAt: number; id: string } | null = null; ;) {
      const page = await store.csat.unsurveyed(since, after, CATCH_UP_BATCH);
      for (const { id } of page) {
        const conversation = await store.conversations.findById(id);
        // Email surveys without PUBLIC_URL were warned about when resolved: not again at every pass.
        if (!conversation || (surveyModeOf(conversation.channelKind) === 'link' && !options.publicUrl)) continue;
        if (await conversationResolved(conversation)) sent++;
      }
      if (page.length < CATCH_UP_BATCH) return sent;
      after = page.at(-1)!;
    }
  }

  return {
    surveyReplies,
    linkFor,
    conversationResolved,
    catchUp,

    /** A web chat visitor pressed a score under the survey message. */
    async answerInline(visitor: { customerId: string; channelAccountId: string }, messageId: string, score: number): Promise<CsatSurvey> {
      if (!isScore(score)) throw new AppError('VALIDATION', 'score: a whole number from 1 to 5');
      const survey = await store.csat.findByMessage(messageId);
      const conversation = survey && (await store.conversations.findById(survey.conversationId));
      if (
        !survey ||
        !conversation ||
        survey.channelAccountId !== visitor.channelAccountId ||
        conversation.customerId !== visitor.customerId
      ) {
        throw notFound('survey');
      }
      return record(survey, score, 'web_chat', null);
    },

    /** The public page of an email survey: what it asks and whether it is still open. */
    async linkSurvey(token: string): Promise<{ survey: CsatSurvey; locale: string | null; open: boolean }> {
      const survey = await surveyOfToken(token);
      const conversation = await store.conversations.findById(survey.conversationId);
      const customer = conversation && (await store.customers.findById(conversation.customerId));
      return { survey, locale: customer?.locale ?? null, open: survey.score === null && survey.expiresAt > deps.now() };
    },

    async answerByLink(token: string, score: number): Promise<CsatSurvey> {
      if (!isScore(score)) throw new AppError('VALIDATION', 'score: a whole number from 1 to 5');
      return record(await surveyOfToken(token), score, 'email_link', null);
    },

    async forConversation(actor: Actor, conversationId: string): Promise<CsatSurvey | null> {
      const conversation = await store.conversations.findById(conversationId);
      if (!conversation) throw notFound('conversation');
      if (!canViewConversation(actor, conversation)) throw forbidden('this conversation is assigned to another agent');
      return (await store.csat.findByConversation(conversationId)) ?? null;
    },

    async forCustomer(customerId: string) {
      if (!(await store.customers.findById(customerId))) throw notFound('customer');
      const [summary, recent] = await Promise.all([
        store.csat.summaryForCustomer(customerId),
        store.csat.answered({ customerId, limit: RECENT }),
      ]);
      return { ...summary, recent };
    },

    /** An agent's own scores, or any agent's for supervisors. */
    async forAgent(actor: Actor, agentId: string) {
      if (actor.id !== agentId && !hasRole(actor, 'supervisor')) throw forbidden('only supervisors see another agent’s scores');
      if (!(await store.users.findById(agentId))) throw notFound('user');
      const [summary, recent] = await Promise.all([store.csat.summaryForAgent(agentId), store.csat.answered({ agentId, limit: RECENT })]);
      return { ...summary, recent };
    },

    async byAgent(since: number) {
      const rows = await store.csat.summaryByAgent(since);
      const users = await Promise.all(rows.map((r) => store.users.findById(r.agentId)));
      return rows.map((r, i) => ({ ...r, name: users[i]?.name ?? null }));
    },

    listSettings: () => store.csat.listSettings(),

    async putSettings(actor: Actor, settings: Omit<CsatSettings, 'updatedAt'>): Promise<CsatSettings> {
      const account = await store.channelAccounts.findById(settings.channelAccountId);
      if (!account) throw notFound('channel account');
      if (settings.enabled && !surveyModeOf(account.kind)) {
        throw new AppError('VALIDATION', `CSAT surveys go by web chat, email, SMS, LINE or Messenger; not by ${account.kind}`);
      }
      const now = deps.now();
      const saved = await store.csat.putSettings(settings, actor.id, now);
      await store.audit.record(
        {
          actorType: 'user',
          actorId: actor.id,
          action: 'csat.settings',
          targetType: 'channel_account',
          targetId: account.id,
          data: { enabled: saved.enabled },
        },
        now,
      );
      return saved;
    },
  };
}

export type CsatSurveys = ReturnType<typeof makeCsatSurveys>;
