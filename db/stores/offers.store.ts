import type { Knex } from 'knex';
import type { Offer } from '../../server/domain/routing/types.js';

interface OfferRow {
  conversation_id: string;
  agent_id: string;
  queue_id: string;
  offered_at: number;
  expires_at: number;
}

const toOffer = (r: OfferRow): Offer => ({
  conversationId: r.conversation_id,
  agentId: r.agent_id,
  queueId: r.queue_id,
  offeredAt: r.offered_at,
  expiresAt: r.expires_at,
});

/**
 * Live offers: at most one per conversation (its primary key). Accept, decline and timeout each
 * `claim` the offer, and only one of them can: whoever deletes the row acts, the others stand down.
 */
export class OffersStore {
  constructor(private readonly db: Knex) {}

  /** False when the conversation already has a live offer (on this node or another). */
  async create(offer: Offer): Promise<boolean> {
    const inserted = await this.db('offers')
      .insert({
        conversation_id: offer.conversationId,
        agent_id: offer.agentId,
        queue_id: offer.queueId,
        offered_at: offer.offeredAt,
        expires_at: offer.expiresAt,
      })
      .onConflict('conversation_id')
      .ignore()
      .returning('conversation_id');
    return inserted.length > 0;
  }

  async findByConversation(conversationId: string): Promise<Offer | undefined> {
    const r = await this.db<OfferRow>('offers').where({ conversation_id: conversationId }).first();
    return r && toOffer(r);
  }

  async listByAgent(agentId: string): Promise<Offer[]> {
    return (await this.db<OfferRow>('offers').where({ agent_id: agentId }).orderBy('offered_at')).map(toOffer);
  }

  async listAll(): Promise<Offer[]> {
    return (await this.db<OfferRow>('offers').orderBy('expires_at')).map(toOffer);
  }

  /** Offers whose accept timeout has passed by `now` (earliest first). */
  async listExpired(now: number): Promise<Offer[]> {
    return (await this.db<OfferRow>('offers').where('expires_at', '<=', now).orderBy('expires_at')).map(toOffer);
  }

  /** Removes the conversation's offer, whoever holds it. False when there was none. */
  async delete(conversationId: string): Promise<boolean> {
    return (await this.db('offers').where({ conversation_id: conversationId }).delete()) > 0;
  }

  /**
   * Removes the offer only if it is still there and still `agentId`'s. True means the caller won it
   * (to accept, decline or time it out); false means it was already claimed, withdrawn or re-offered.
   */
  async claim(conversationId: string, agentId: string): Promise<boolean> {
    return (await this.db('offers').where({ conversation_id: conversationId, agent_id: agentId }).delete()) > 0;
  }
}
