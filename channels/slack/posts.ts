// What the desk posts in Slack, as mrkdwn text built from plain facts. Customer-written text is
// escaped (it shows as written and can ping nobody); the desk's own words are English.
import { escapeMrkdwn, slackLink } from './format.js';

const CHANNEL_NAMES: Record<string, string> = {
  web_chat: 'web chat',
  email: 'email',
  sms: 'SMS',
  voice: 'phone',
  line: 'LINE',
  messenger: 'Messenger',
  slack: 'Slack',
};
export const channelName = (kind: string) => CHANNEL_NAMES[kind] ?? kind;

/** Slack's limit on a message's text is 40,000 characters; posts stay well under it. */
const MAX_POST_CHARS = 3_500;

function clip(text: string): string {
  const chars = [...text];
  return chars.length <= MAX_POST_CHARS ? text : `${chars.slice(0, MAX_POST_CHARS).join('')}…`;
}

/** `> ` before every line: Slack's quote. */
const quote = (text: string) =>
  text
    .split('\n')
    .map((line) => `>${line ? ` ${line}` : ''}`)
    .join('\n');

export interface ConversationFacts {
  customerName: string;
  channelKind: string;
  queueName: string | null;
  subject: string | null;
  /** A link to the conversation in the console, when the install has a public URL. */
  consoleUrl: string | null;
}

/** The parent post of a conversation's thread. */
export function conversationPost(c: ConversationFacts): string {
  const where = c.queueName ? ` in *${escapeMrkdwn(c.queueName)}*` : '';
  const lines = [`:speech_balloon: New ${channelName(c.channelKind)} conversation from *${escapeMrkdwn(c.customerName)}*${where}`];
  if (c.subject) lines.push(`*Subject:* ${escapeMrkdwn(clip(c.subject))}`);
  lines.push(
    `_Reply in this thread to answer the customer on ${channelName(c.channelKind)}._${c.consoleUrl ? ` ${slackLink(c.consoleUrl, 'Open in Omnidesk')}` : ''}`,
  );
  return lines.join('\n');
}

export interface MessageFacts {
  /** Who wrote it: the customer's name, or the agent's. */
  author: string;
  from: 'customer' | 'agent' | 'system';
  text: string;
  /** File names of its attachments. */
  files: string[];
}

/** A message of the conversation, in its thread. */
export function messagePost(m: MessageFacts): string {
  const head =
    m.from === 'customer' ? `*${escapeMrkdwn(m.author)}*` : m.from === 'agent' ? `*${escapeMrkdwn(m.author)}* (agent)` : '_Omnidesk_';
  const body = m.text.trim() ? `\n${quote(escapeMrkdwn(clip(m.text)))}` : '';
  const files = m.files.map((f) => `\n:paperclip: ${escapeMrkdwn(f)}`).join('');
  return `${head}${body}${files}`;
}

export interface SlaFacts {
  clock: 'first_response' | 'resolution';
  customerName: string;
  channelKind: string;
  queueName: string | null;
  assigneeName: string | null;
  consoleUrl: string | null;
}

export function slaBreachPost(f: SlaFacts): string {
  const clock = f.clock === 'first_response' ? 'first response' : 'resolution';
  const where = f.queueName ? ` in *${escapeMrkdwn(f.queueName)}*` : '';
  const who = f.assigneeName ? `assigned to ${escapeMrkdwn(f.assigneeName)}` : 'unassigned';
  const link = f.consoleUrl ? ` ${slackLink(f.consoleUrl, 'Open')}` : '';
  return `:rotating_light: SLA breached: ${clock} target missed for *${escapeMrkdwn(f.customerName)}* (${channelName(f.channelKind)})${where}, ${who}.${link}`;
}

export type QueueAlertCondition = 'waiting' | 'longest_wait' | 'service_level';

export interface QueueAlertFacts {
  queueName: string;
  condition: QueueAlertCondition;
  waiting: number;
  longestWaitSeconds: number;
  /** In [0, 1], or null. */
  serviceLevel: number | null;
  serviceLevelTarget: number;
  threshold: number;
}

const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
const percent = (x: number) => `${Math.round(x * 100)}%`;

export function queueAlertPost(f: QueueAlertFacts): string {
  const name = `*${escapeMrkdwn(f.queueName)}*`;
  const facts = `${f.waiting} waiting, longest ${clock(f.longestWaitSeconds)}, service level ${f.serviceLevel === null ? 'n/a' : percent(f.serviceLevel)}`;
  switch (f.condition) {
    case 'waiting':
      return `:warning: Queue ${name}: ${f.waiting} waiting (alert at ${f.threshold}). ${facts}.`;
    case 'longest_wait':
      return `:warning: Queue ${name}: a customer has waited ${clock(f.longestWaitSeconds)} (alert at ${clock(f.threshold)}). ${facts}.`;
    case 'service_level':
      return `:warning: Queue ${name}: service level ${f.serviceLevel === null ? 'n/a' : percent(f.serviceLevel)} is under its target of ${percent(f.serviceLevelTarget)}. ${facts}.`;
  }
}

/** Told in the thread when a reply written there could not be delivered to the customer. */
export function deliveryFailedPost(f: { author: string; code: string | null; reason: string | null; text: string }): string {
  const why = `${f.code ? `${f.code}: ` : ''}${f.reason ?? 'no reason given'}`;
  return `:x: Not delivered to the customer (reply by ${escapeMrkdwn(f.author)}): ${escapeMrkdwn(why)}\n${quote(escapeMrkdwn(clip(f.text)))}`;
}
