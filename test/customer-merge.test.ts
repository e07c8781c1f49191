// The pure rules of a merge: which profile values the kept customer ends with, and which consent
// decision stands per channel (the most recent; an opt-out wins a tie).
import { describe, expect, test } from 'vitest';
import { consentsToMove, mergeProfiles, type Consent } from '../server/domain/customer-merge.js';
import type { Customer } from '../server/domain/types.js';

const customer = (over: Partial<Customer>): Customer => ({
  id: 'c',
  name: null,
  locale: null,
  attributes: {},
  valueTier: null,
  vip: false,
  tags: [],
  lastContactAt: null,
  mergedInto: null,
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

const consent = (customerId: string, channel: Consent['channel'], status: Consent['status'], updatedAt: number): Consent => ({
  id: `${customerId}-${channel}`,
  customerId,
  channel,
  status,
  source: 'test',
  recordedBy: null,
  createdAt: updatedAt,
  updatedAt,
});

describe('mergeProfiles', () => {
  test('the kept profile wins where both have a value; the other fills gaps', () => {
    const merged = mergeProfiles(
      customer({ name: 'มาลี', attributes: { plan: 'basic', city: 'BKK' }, tags: ['a'], lastContactAt: 5 }),
      customer({ name: 'Malee', locale: 'en', attributes: { plan: 'pro', company: 'X' }, tags: ['b', 'a'], lastContactAt: 9, vip: true }),
    );
    expect(merged).toEqual({
      name: 'มาลี',
      locale: 'en',
      tags: ['a', 'b'],
      attributes: { plan: 'basic', city: 'BKK', company: 'X' },
      valueTier: null,
      vip: true,
      lastContactAt: 9,
    });
  });

  test.each([
    [null, null, null],
    ['bronze', null, 'bronze'],
    [null, 'silver', 'silver'],
    ['gold', 'platinum', 'platinum'],
    ['platinum', 'bronze', 'platinum'],
    ['silver', 'silver', 'silver'],
  ] as const)('tier %s kept with %s from the other: %s', (target, source, expected) => {
    expect(mergeProfiles(customer({ valueTier: target }), customer({ valueTier: source })).valueTier).toBe(expected);
  });
});

describe('consentsToMove', () => {
  test('a channel only the other profile has moves over', () => {
    const line = consent('s', 'line', 'opted_in', 10);
    expect(consentsToMove([consent('t', 'sms', 'opted_in', 5)], [line])).toEqual({ move: [line], supersededOnTarget: [] });
  });

  test.each([
    ['newer opt-out on the other profile wins', 'opted_in', 10, 'opted_out', 11, true],
    ['older opt-in on the other profile loses', 'opted_out', 10, 'opted_in', 9, false],
    ['newer opt-in on the other profile wins', 'opted_out', 10, 'opted_in', 11, true],
    ['a tie goes to the opt-out (other profile)', 'opted_in', 10, 'opted_out', 10, true],
    ['a tie goes to the opt-out (kept profile)', 'opted_out', 10, 'opted_in', 10, false],
    ['a tie between equal decisions keeps the kept profile’s', 'opted_in', 10, 'opted_in', 10, false],
  ] as const)('%s', (_name, targetStatus, targetAt, sourceStatus, sourceAt, sourceWins) => {
    const t = consent('t', 'sms', targetStatus, targetAt);
    const s = consent('s', 'sms', sourceStatus, sourceAt);
    expect(consentsToMove([t], [s])).toEqual(sourceWins ? { move: [s], supersededOnTarget: [t] } : { move: [], supersededOnTarget: [] });
  });
});
