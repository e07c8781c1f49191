// The CRM tests' shared start: the desk's SMS number on the local fake of Twilio, and customers who
// text it from their phones, with their SMS consent: opted in, never asked, or opted in and then STOP.
import { expect } from 'vitest';
import type { Message } from '../../server/domain/types.js';
import type { RunningServer } from '../../server/server.js';
import { createChannelAccount, deliveredMessage, inboundSms, postTwilioForm } from './channel-traffic.js';
import type { FakeTwilio } from './fake-twilio.js';
import type { Api, ApiResponse } from './harness.js';

export interface SmsNumber {
  /** The SMS channel account. */
  accountId: string;
  /**
   * Posts an SMS from `from` to the server at `baseUrl`, signed as Twilio signs it (with `extra`
   * parameters, e.g. an MMS's media); checks the 200 and resolves with the MessageSid.
   */
  text(baseUrl: string, from: string, body: string, extra?: Record<string, string>): Promise<string>;
  /** An SMS from `from` to a server in this process: resolves with the message it became. */
  arrives(server: RunningServer, from: string, body: string): Promise<Message>;
}

/** An admin creates an SMS account for `phoneNumber` on a fresh account of the fake Twilio. */
export async function smsNumber(
  api: Api,
  admin: string,
  fake: FakeTwilio,
  number: { name: string; phoneNumber: string; publicUrl: string; queueId?: string },
): Promise<SmsNumber> {
  const { accountSid, authToken } = fake.account();
  const accountId = await createChannelAccount(api, admin, {
    kind: 'sms',
    name: number.name,
    ...(number.queueId && { queueId: number.queueId }),
    settings: { accountSid, phoneNumber: number.phoneNumber, apiBaseUrl: fake.url },
    credentials: { authToken },
  });
  const path = `/webhooks/sms/${accountId}`;
  const post = (baseUrl: string, params: Record<string, string>) =>
    postTwilioForm(baseUrl, path, params, { authToken, publicUrl: number.publicUrl });
  const form = (from: string, body: string, extra: Record<string, string> = {}) =>
    inboundSms(accountSid, number.phoneNumber, from, body, extra);
  return {
    accountId,
    text: async (baseUrl, from, body, extra) => {
      const params = form(from, body, extra);
      expect((await post(baseUrl, params)).status).toBe(200);
      return params.MessageSid;
    },
    arrives: (server, from, body) => {
      const params = form(from, body);
      return deliveredMessage(server, params.MessageSid, () => post(server.url, params));
    },
  };
}

/** The admin's call to the REST API (`url` under /api/v1). */
export type AdminRequest = (method: string, url: string, body?: unknown) => Promise<ApiResponse>;

export interface SmsCustomerSpec {
  phone: string;
  consent: 'opted_in' | 'never_asked' | 'stop';
  /** What the admin sets on the profile (PATCH /customers/:id): a name, tags. */
  profile: Record<string, unknown>;
}

/**
 * Customers who text `greeting`, one after another: each one's profile set, SMS consent recorded as opted
 * in from `source` unless never asked, and STOP texted after it when `stop`. `texts` sends one SMS and
 * resolves with what the test keeps of its sender; resolves with that of each greeting, in order.
 */
export async function smsCustomers<C extends { customerId: string }>(
  request: AdminRequest,
  people: SmsCustomerSpec[],
  opts: { greeting: string; source: string; texts: (phone: string, body: string) => Promise<C> },
): Promise<C[]> {
  const customers: C[] = [];
  for (const { phone, consent, profile } of people) {
    const customer = await opts.texts(phone, opts.greeting);
    expect((await request('PATCH', `/customers/${customer.customerId}`, profile)).status).toBe(200);
    if (consent !== 'never_asked') {
      const recorded = await request('PUT', `/customers/${customer.customerId}/consents/sms`, { status: 'opted_in', source: opts.source });
      expect(recorded.status).toBe(200);
    }
    if (consent === 'stop') await opts.texts(phone, 'STOP');
    customers.push(customer);
  }
  return customers;
}
