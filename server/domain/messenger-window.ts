// Messenger's standard messaging window: a page may answer a person for 24 hours after that person's
// last message; afterwards Meta refuses a RESPONSE (error 10, subcode 2018278) until they write again.
// Pure: the last customer message and the clock in, the verdict out.

export const MESSENGER_WINDOW_MS = 24 * 3_600_000;

const when = (at: number) => new Date(at).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

/** When replies stop being allowed; null when the customer never wrote (nothing may be sent). */
export function messengerWindowEndsAt(lastCustomerMessageAt: number | null): number | null {
  return lastCustomerMessageAt === null ? null : lastCustomerMessageAt + MESSENGER_WINDOW_MS;
}

/** Why a reply may not go to this Messenger customer at `now`, or null when it may. */
export function messengerWindowRefusal(lastCustomerMessageAt: number | null, now: number): string | null {
  const endsAt = messengerWindowEndsAt(lastCustomerMessageAt);
  if (endsAt !== null && now < endsAt) return null;
  const last = lastCustomerMessageAt === null ? 'none' : when(lastCustomerMessageAt);
  return `Messenger allows replies only within 24 hours of the customer's last message (last: ${last}); ask them to write again, or reply on another channel`;
}
