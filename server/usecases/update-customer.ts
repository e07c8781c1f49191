// Agents keep a customer's profile right from the console: name, language, tags and custom attributes.
// Value tier and VIP drive routing priority and are a supervisor's call. Attributes merge (null removes
// a key); tags replace the list. One transaction, audited; the consoles showing the customer hear of it.
import { AppError, forbidden, notFound } from '../domain/errors.js';
import { hasRole, type Actor } from '../domain/policy.js';
import type { Customer, ValueTier } from '../domain/types.js';
import type { Deps } from './deps.js';
import { checkAttributes } from './crm/manage-attributes.js';
import { makeScorer } from './crm/customer-value.js';

export interface CustomerPatch {
  name?: string | null;
  locale?: string | null;
  tags?: string[];
  attributes?: Record<string, string | number | boolean | null>;
  /** A supervisor's tier, kept over the computed one; null goes back to the computed tier. */
  valueTier?: ValueTier | null;
  /** A supervisor's VIP flag, kept over the tier's; null goes back to the tier's. */
  vip?: boolean | null;
}

export function makeUpdateCustomer(deps: Deps) {
  return async function updateCustomer(actor: Actor, customerId: string, patch: CustomerPatch): Promise<Customer> {
    if ((patch.valueTier !== undefined || patch.vip !== undefined) && !hasRole(actor, 'supervisor')) {
      throw forbidden('only supervisors set a customer’s value tier or VIP flag');
    }
    const { customer, conversationIds } = await deps.store.transaction(async (tx) => {
      const current = await tx.customers.findById(customerId);
      if (!current) throw notFound('customer');
      if (current.mergedInto)
        throw new AppError('CONFLICT', 'this customer was merged into another profile', { mergedInto: current.mergedInto });
      const now = deps.now();
      let attributes: Record<string, unknown> | undefined;
      // Attributes with a definition must fit its type (a clear 400 names the attribute).
      if (patch.attributes) await checkAttributes(tx, patch.attributes);
      if (patch.attributes) {
        attributes = { ...current.attributes };
        for (const [key, value] of Object.entries(patch.attributes)) {
          if (value === null) delete attributes[key];
          else attributes[key] = value;
        }
      }
      const tags = patch.tags && [...new Set(patch.tags.map((t) => t.toLowerCase()))];
      await tx.customers.update(customerId, { name: patch.name, locale: patch.locale, tags, attributes }, now);
      // Tier and VIP are overrides of the CRM's computed value; the effective ones follow at once.
      if (patch.valueTier !== undefined || patch.vip !== undefined) {
        await tx.customerValue.setOverrides(customerId, { tier: patch.valueTier, vip: patch.vip }, now);
        const rescore = await makeScorer(tx, now);
        await rescore(customerId);
      }
      await tx.audit.record(
        {
          actorType: 'user',
          actorId: actor.id,
          action: 'customer.update',
          targetType: 'customer',
          targetId: customerId,
          data: { fields: Object.keys(patch) },
        },
        now,
      );
      const conversationIds = (await tx.conversations.allOf(customerId)).filter((c) => c.status !== 'resolved').map((c) => c.id);
      return { customer: (await tx.customers.findById(customerId))!, conversationIds };
    });
    deps.events.publish({ type: 'customer.updated', customerId, mergedInto: null, conversationIds });
    return customer;
  };
}
