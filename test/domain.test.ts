// Pure rules, table-tested.
import { describe, expect, test } from 'vitest';
import { chooseConversation, textOf } from '../server/domain/conversation-rules.js';
import { emailIdentity, phoneIdentity } from '../server/domain/identity.js';
import { canAssign, canViewConversation } from '../server/domain/policy.js';
import type { Conversation } from '../server/domain/types.js';
import { conversationAt } from './support/fixtures.js';

const HOUR = 3_600_000;
const conversation = (over: Partial<Conversation>): Conversation => conversationAt(0, over);

describe('chooseConversation', () => {
  const open = conversation({ id: 'open' });
  const resolvedAt = (t: number) => conversation({ id: 'resolved', status: 'resolved', resolvedAt: t });
  test.each([
    ['an unresolved conversation takes the message', open, undefined, 'append', 'open'],
    ['resolved 1 h ago, window 72 h: reopen', undefined, resolvedAt(100 * HOUR - HOUR), 'reopen', 'resolved'],
    ['resolved exactly at the window edge: reopen', undefined, resolvedAt(100 * HOUR - 72 * HOUR), 'reopen', 'resolved'],
    ['resolved 73 h ago: new conversation', undefined, resolvedAt(100 * HOUR - 73 * HOUR), 'create', undefined],
    ['no history: new conversation', undefined, undefined, 'create', undefined],
  ])('%s', (_name, unresolved, lastResolved, action, id) => {
    const choice = chooseConversation(unresolved, lastResolved, 100 * HOUR, 72 * HOUR);
    expect(choice.action).toBe(action);
    expect(choice.action === 'create' ? undefined : choice.conversation.id).toBe(id);
  });
});

describe('identities', () => {
  test.each([
    ['081 234 5678', '+66812345678'],
    ['+66 81-234-5678', '+66812345678'],
    ['00166812345678', '+66812345678'], // Thailand's international prefix is 001
    ['02 123 4567', '+6621234567'],
    ['+1 (415) 555-2671', '+14155552671'],
  ])('phone %s → %s', (raw, e164) => {
    const r = phoneIdentity(raw);
    expect(r).toEqual({ ok: true, identity: { kind: 'phone', scope: '', value: e164 } });
  });

  test.each(['12', 'not a phone', '+66 12'])('rejects phone %s', (raw) => {
    expect(phoneIdentity(raw).ok).toBe(false);
  });

  test.each([
    ['  Somchai@Example.COM ', 'somchai@example.com'],
    ['a.b+tag@shop.co.th', 'a.b+tag@shop.co.th'],
  ])('email %s → %s', (raw, value) => {
    expect(emailIdentity(raw)).toEqual({ ok: true, identity: { kind: 'email', scope: '', value } });
  });

  test.each(['no-at-sign', 'a@b', 'a b@c.com', '<x@y.com>'])('rejects email %s', (raw) => {
    expect(emailIdentity(raw).ok).toBe(false);
  });
});

describe('policy', () => {
  const agent = { id: 'u1', role: 'agent' as const };
  const supervisor = { id: 's1', role: 'supervisor' as const };
  test.each([
    [agent, null, true],
    [agent, 'u1', true],
    [agent, 'u2', false],
    [supervisor, 'u2', true],
  ])('canViewConversation(%o, assignee %s) = %s', (actor, assigneeId, expected) => {
    expect(canViewConversation(actor, { assigneeId })).toBe(expected);
  });

  test.each([
    ['agent takes unassigned', agent, null, 'u1', true],
    ['agent gives another agent an unassigned one', agent, null, 'u2', false],
    ['agent releases own', agent, 'u1', null, true],
    ['agent takes from another agent', agent, 'u2', 'u1', false],
    ['supervisor reassigns', supervisor, 'u2', 'u1', true],
  ])('%s', (_name, actor, current, to, expected) => {
    expect(canAssign(actor, { assigneeId: current }, to)).toBe(expected);
  });
});

test('textOf joins text and names files', () => {
  expect(
    textOf([
      { type: 'text', text: 'ดูรูปนี้' },
      { type: 'image', attachmentId: 'a', filename: 'box.png', contentType: 'image/png', size: 3 },
    ]),
  ).toBe('ดูรูปนี้\n[image: box.png]');
});
