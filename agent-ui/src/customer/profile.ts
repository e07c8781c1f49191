// Pure helpers for the customer profile: who counts as unknown, how attributes read and are typed
// back from a text field, and which edits a patch carries.
import type { Customer, CustomerIdentity } from '../../../server/domain/types.js';
import type { AttributeValue, CustomerPatch } from './customer-api';

/** Tags and attribute names the API accepts (see server/http/routes/shared-schemas.ts, customers.route.ts). */
export const TAG_PATTERN = /^[\p{L}\p{M}\p{N}_-]{1,32}$/u;
export const ATTRIBUTE_NAME_PATTERN = /^[\p{L}\p{M}\p{N}_.-]{1,64}$/u;
export const LOCALE_PATTERN = /^[a-z]{2}(-[A-Z]{2})?$/;

/** Nothing says who this is: no name, no phone or email identity, none noted in the attributes. */
export function isUnknown(customer: Customer & { identities: CustomerIdentity[] }): boolean {
  const reachable = customer.identities.some((i) => i.kind === 'phone' || i.kind === 'email');
  const noted = ['phone', 'email'].some((key) => typeof customer.attributes[key] === 'string' && customer.attributes[key] !== '');
  return !customer.name?.trim() && !reachable && !noted;
}

/** `unverifiedEmail` → `Unverified email`. */
export function humanize(key: string): string {
  const words = key
    .replace(/[_.-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function attributeText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A field's text back to a value, keeping the kind the attribute had (a number stays a number). */
export function parseAttribute(text: string, previous: unknown): AttributeValue {
  const trimmed = text.trim();
  if (typeof previous === 'number' && trimmed !== '' && Number.isFinite(Number(trimmed))) return Number(trimmed);
  if (typeof previous === 'boolean' && (trimmed === 'true' || trimmed === 'false')) return trimmed === 'true';
  return text;
}

export interface ProfileDraft {
  name: string;
  locale: string;
  tags: string[];
  /** Rows in order; `key` is the name as typed, `original` the name it had when the edit began. */
  attributes: { key: string; value: string; original: string | null }[];
  valueTier: Customer['valueTier'];
  vip: boolean;
}

export function draftOf(customer: Customer): ProfileDraft {
  return {
    name: customer.name ?? '',
    locale: customer.locale ?? '',
    tags: [...(customer.tags ?? [])],
    attributes: Object.entries(customer.attributes).map(([key, value]) => ({ key, value: attributeText(value), original: key })),
    valueTier: customer.valueTier,
    vip: customer.vip,
  };
}

/** The patch for what the draft changed (empty when nothing did); tier and VIP only for supervisors. */
export function patchOf(customer: Customer, draft: ProfileDraft, mayRank: boolean): CustomerPatch {
  const patch: CustomerPatch = {};
  const name = draft.name.trim() || null;
  if (name !== customer.name) patch.name = name;
  const locale = draft.locale || null;
  if (locale !== customer.locale) patch.locale = locale;
  const tags = [...new Set(draft.tags.map((t) => t.toLowerCase()))];
  const before = customer.tags ?? [];
  if (tags.length !== before.length || tags.some((t, i) => t !== before[i])) patch.tags = tags;

  const attributes: Record<string, AttributeValue> = {};
  const kept = new Set<string>();
  for (const row of draft.attributes) {
    const key = row.key.trim();
    if (!key) continue;
    kept.add(key);
    const previous = customer.attributes[row.original ?? key];
    const value = parseAttribute(row.value, previous);
    if (row.original !== key || !(key in customer.attributes) || attributeText(customer.attributes[key]) !== row.value)
      attributes[key] = value;
  }
  for (const key of Object.keys(customer.attributes)) if (!kept.has(key)) attributes[key] = null;
  if (Object.keys(attributes).length) patch.attributes = attributes;

  if (mayRank) {
    if (draft.valueTier !== customer.valueTier) patch.valueTier = draft.valueTier;
    if (draft.vip !== customer.vip) patch.vip = draft.vip;
  }
  return patch;
}

/** The first problem in a draft, as a string key of the customer strings, or null. */
export function draftProblem(draft: ProfileDraft): 'attributeNameInvalid' | 'attributeNameTwice' | 'localeInvalid' | null {
  const names = draft.attributes.map((a) => a.key.trim()).filter(Boolean);
  if (names.some((n) => !ATTRIBUTE_NAME_PATTERN.test(n))) return 'attributeNameInvalid';
  if (new Set(names).size !== names.length) return 'attributeNameTwice';
  if (draft.locale && !LOCALE_PATTERN.test(draft.locale)) return 'localeInvalid';
  return null;
}
