// The rows of the timeline, pure: stored messages in order (with a day heading where the day changes)
// and then this agent's unsent ones, each with a height estimate for the virtualizer.
import type { Message } from '../../../server/domain/types.js';
import type { UnsentMessage } from '../session';
import type { TimelineItem } from './Timeline';
import { isCopyOf } from './unsent';

export type Row = TimelineItem &
  ({ kind: 'message'; message: Message; day: number | null } | { kind: 'unsent'; unsent: UnsentMessage; day: number | null });

const LINE_PX = 21;
const CHARS_PER_LINE = 60;
const DAY_HEADING_PX = 38;
// An email's HTML body before EmailHtml has measured it (it does so before the row is first painted).
const EMAIL_PX = 280;

function estimate(text: string, images: number, files: number, day: boolean, emails = 0): number {
  const lines = Math.max(
    1,
    text.split('\n').reduce((n, line) => n + Math.ceil(line.length / CHARS_PER_LINE || 1), 0),
  );
  return 64 + lines * LINE_PX + images * 160 + files * 42 + emails * EMAIL_PX + (day ? DAY_HEADING_PX : 0);
}

const startOfDay = (ms: number) => new Date(ms).setHours(0, 0, 0, 0);

export function timelineRows(messages: Message[], unsent: UnsentMessage[], meId: string): Row[] {
  const rows: Row[] = [];
  let lastDay: number | null = null;
  const dayOf = (ms: number) => {
    const day = startOfDay(ms);
    if (day === lastDay) return null;
    lastDay = day;
    return day;
  };
  for (const m of messages) {
    const day = dayOf(m.createdAt);
    const images = m.parts.filter((p) => p.type === 'image').length;
    const files = m.parts.filter((p) => p.type === 'file').length;
    const emails = m.parts.filter((p) => p.type === 'html').length;
    const text = emails ? '' : m.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
    const own = m.direction === 'outbound' && m.senderId === meId;
    rows.push({ kind: 'message', key: m.id, message: m, day, own, estimate: estimate(text, images, files, day !== null, emails) });
  }
  // The socket may bring the stored copy a moment before the HTTP answer removes the unsent one.
  const recent = messages.slice(-20);
  for (const u of unsent) {
    if (u.state === 'sending' && recent.some((m) => isCopyOf(m, u, meId))) continue;
    const day = dayOf(u.firstTriedAt);
    const images = u.attachments.filter((a) => a.contentType.startsWith('image/')).length;
    rows.push({
      kind: 'unsent',
      key: `unsent:${u.clientId}`,
      unsent: u,
      day,
      own: true,
      estimate: estimate(u.text, images, u.attachments.length - images, day !== null),
    });
  }
  return rows;
}
