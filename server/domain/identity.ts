// Normalizes the ways a customer is known, so the same person always maps to the same key.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Identity } from './types.js';

export type IdentityResult = { ok: true; identity: Identity } | { ok: false; reason: string };

/** A phone number in E.164; numbers without a country code are read in `defaultCountry` (Thailand by default). */
export function phoneIdentity(raw: string, defaultCountry: CountryCode = 'TH'): IdentityResult {
  const parsed = parsePhoneNumberFromString(raw.trim(), defaultCountry);
  if (!parsed || !parsed.isValid()) return { ok: false, reason: `not a valid phone number: ${raw}` };
  return { ok: true, identity: { kind: 'phone', scope: '', value: parsed.number } };
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

export function emailIdentity(raw: string): IdentityResult {
  const value = raw.trim().toLowerCase();
  if (value.length > 320 || !EMAIL.test(value)) return { ok: false, reason: `not a valid email address: ${raw}` };
  return { ok: true, identity: { kind: 'email', scope: '', value } };
}
