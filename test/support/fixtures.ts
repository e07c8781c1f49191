// Plain domain records for pure tests: every field set, overridable.
import type { Conversation } from '../../server/domain/types.js';

/** An open, unassigned web chat conversation at time `at`. */
export const conversationAt = (at: number, over: Partial<Conversation> = {}): Conversation => ({
  id: 'c1',
  customerId: 'cu1',
  channelAccountId: 'ca1',
  channelKind: 'web_chat',
  status: 'open',
  priority: 0,
  queueId: null,
  assigneeId: null,
  subject: null,
  lastMessageAt: at,
  lastCustomerMessageAt: null,
  firstResponseAt: null,
  resolvedAt: null,
  enqueuedAt: null,
  requiredSkills: null,
  refusedBy: [],
  tags: [],
  firstResponseDueAt: null,
  resolutionDueAt: null,
  slaStatus: null,
  createdAt: at,
  updatedAt: at,
  ...over,
});
