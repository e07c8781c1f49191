// A tiny English/Thai dictionary. Keys are typed from the English table, so a missing Thai string
// is a type error, and `t()` only accepts keys that exist.
import { createContext, useContext } from 'react';

export type Locale = 'en' | 'th';
export const LOCALES: readonly Locale[] = ['en', 'th'];

const en = {
  appName: 'Omnidesk',
  presence: 'Status',
  presence_available: 'Available',
  presence_away: 'Away',
  presence_busy: 'Busy',
  presence_wrap_up: 'Wrap-up',
  presence_offline: 'Offline',
  awayReason_break: 'Break',
  awayReason_lunch: 'Lunch',
  awayReason_meeting: 'Meeting',
  awayReason_training: 'Training',
  offerTitle: 'New conversation offered',
  offerWaited: 'Waiting',
  offerExpiresIn: 'Answer within',
  accept: 'Accept',
  decline: 'Decline',
  offerGone: 'This offer is no longer available.',
  signInTitle: 'Sign in to the agent console',
  email: 'Email',
  password: 'Password',
  signIn: 'Sign in',
  signingIn: 'Signing in…',
  loginFailed: 'Email or password is wrong.',
  tooManyAttempts: 'Too many attempts. Wait a minute and try again.',
  sessionExpired: 'Your session expired, please log in again',
  loggedOut: 'You have signed out.',
  logout: 'Sign out',
  views: 'Views',
  view_inbox: 'Inbox',
  view_board: 'Board',
  view_reports: 'Reports',
  view_customers: 'Customers',
  view_admin: 'Admin',
  shortcutsTitle: 'Keyboard shortcuts',
  shortcutsShow: 'Show this list',
  shortcutsClose: 'Close a dialog or list',
  close: 'Close',
  connected: 'Connected',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  language: 'Language',
  conversations: 'Conversations',
  noConversations: 'No open conversations here.',
  unread: 'Unread',
  loading: 'Loading…',
  selectConversation: 'Select a conversation to start.',
  visitor: 'Visitor',
  you: 'You',
  assignedToYou: 'Assigned to you',
  unassigned: 'Unassigned',
  assignedToOther: 'Assigned to another agent',
  assignToMe: 'Assign to me',
  resolve: 'Resolve',
  reopen: 'Reopen',
  internalNote: 'Internal note',
  customerTyping: 'Customer is typing…',
  reply: 'Reply',
  note: 'Note',
  send: 'Send',
  addNote: 'Add note',
  replyPlaceholder: 'Write a reply… (Enter to send, Shift+Enter for a new line)',
  notePlaceholder: 'Write an internal note, only agents see it…',
  noteHint: 'Notes are never sent to the customer.',
  sendFailed: 'Not sent: {error}',
  actionFailed: 'That did not work: {error}',
  customer: 'Customer',
  identities: 'Identities',
  attributes: 'Attributes',
  noAttributes: 'No attributes yet.',
  languageLabel: 'Language',
  lastContact: 'Last contact',
  download: 'Download',
  attachmentFailed: 'Could not load the attachment.',
  status_received: 'Received',
  status_queued: 'Queued',
  status_sent: 'Sent',
  status_delivered: 'Delivered',
  status_read: 'Read',
  status_failed: 'Failed',
  conv_open: 'Open',
  conv_pending: 'Pending',
  conv_snoozed: 'Snoozed',
  conv_resolved: 'Resolved',
  channel_web_chat: 'Web chat',
  channel_email: 'Email',
  channel_sms: 'SMS',
  channel_voice: 'Phone',
  channel_line: 'LINE',
  channel_messenger: 'Messenger',
  channel_slack: 'Slack',
  identity_phone: 'Phone',
  identity_email: 'Email',
  identity_web_chat: 'Web chat visitor',
  identity_line: 'LINE',
  identity_messenger: 'Messenger',
  identity_slack: 'Slack',
  previewImage: 'Image',
  previewFile: 'File',
  previewNote: 'Note: {text}',
} as const;

export type MessageKey = keyof typeof en;

const th: Record<MessageKey, string> = {
  presence: 'สถานะ',
  presence_available: 'พร้อมรับงาน',
  presence_away: 'ไม่อยู่',
  presence_busy: 'ไม่ว่าง',
  presence_wrap_up: 'สรุปงาน',
  presence_offline: 'ออฟไลน์',
  awayReason_break: 'พักเบรก',
  awayReason_lunch: 'พักกลางวัน',
  awayReason_meeting: 'ประชุม',
  awayReason_training: 'อบรม',
  offerTitle: 'มีบทสนทนาใหม่เสนอให้คุณ',
  offerWaited: 'รอมาแล้ว',
  offerExpiresIn: 'ตอบรับภายใน',
  accept: 'รับงาน',
  decline: 'ปฏิเสธ',
  offerGone: 'ข้อเสนอนี้หมดอายุแล้ว',
  appName: 'Omnidesk',
  signInTitle: 'เข้าสู่ระบบคอนโซลเจ้าหน้าที่',
  email: 'อีเมล',
  password: 'รหัสผ่าน',
  signIn: 'เข้าสู่ระบบ',
  signingIn: 'กำลังเข้าสู่ระบบ…',
  loginFailed: 'อีเมลหรือรหัสผ่านไม่ถูกต้อง',
  tooManyAttempts: 'ลองหลายครั้งเกินไป กรุณารอสักครู่แล้วลองใหม่',
  sessionExpired: 'เซสชันหมดอายุ กรุณาเข้าสู่ระบบอีกครั้ง',
  loggedOut: 'คุณออกจากระบบแล้ว',
  logout: 'ออกจากระบบ',
  views: 'มุมมอง',
  view_inbox: 'กล่องข้อความ',
  view_board: 'บอร์ด',
  view_reports: 'รายงาน',
  view_customers: 'ลูกค้า',
  view_admin: 'ผู้ดูแลระบบ',
  shortcutsTitle: 'ปุ่มลัดแป้นพิมพ์',
  shortcutsShow: 'แสดงรายการนี้',
  shortcutsClose: 'ปิดหน้าต่างหรือรายการ',
  close: 'ปิด',
  connected: 'เชื่อมต่อแล้ว',
  connecting: 'กำลังเชื่อมต่อ…',
  reconnecting: 'กำลังเชื่อมต่อใหม่…',
  language: 'ภาษา',
  conversations: 'บทสนทนา',
  noConversations: 'ไม่มีบทสนทนาที่เปิดอยู่',
  unread: 'ยังไม่อ่าน',
  loading: 'กำลังโหลด…',
  selectConversation: 'เลือกบทสนทนาเพื่อเริ่มต้น',
  visitor: 'ผู้เยี่ยมชม',
  you: 'คุณ',
  assignedToYou: 'มอบหมายให้คุณ',
  unassigned: 'ยังไม่มีผู้รับ',
  assignedToOther: 'มอบหมายให้เจ้าหน้าที่อื่นแล้ว',
  assignToMe: 'รับเรื่องนี้',
  resolve: 'ปิดเรื่อง',
  reopen: 'เปิดเรื่องอีกครั้ง',
  internalNote: 'บันทึกภายใน',
  customerTyping: 'ลูกค้ากำลังพิมพ์…',
  reply: 'ตอบกลับ',
  note: 'บันทึก',
  send: 'ส่ง',
  addNote: 'เพิ่มบันทึก',
  replyPlaceholder: 'พิมพ์ข้อความตอบกลับ… (Enter เพื่อส่ง, Shift+Enter ขึ้นบรรทัดใหม่)',
  notePlaceholder: 'พิมพ์บันทึกภายใน เห็นเฉพาะเจ้าหน้าที่…',
  noteHint: 'บันทึกจะไม่ถูกส่งถึงลูกค้า',
  sendFailed: 'ส่งไม่สำเร็จ: {error}',
  actionFailed: 'ทำรายการไม่สำเร็จ: {error}',
  customer: 'ลูกค้า',
  identities: 'ช่องทางติดต่อ',
  attributes: 'ข้อมูลเพิ่มเติม',
  noAttributes: 'ยังไม่มีข้อมูลเพิ่มเติม',
  languageLabel: 'ภาษา',
  lastContact: 'ติดต่อล่าสุด',
  download: 'ดาวน์โหลด',
  attachmentFailed: 'โหลดไฟล์แนบไม่สำเร็จ',
  status_received: 'ได้รับแล้ว',
  status_queued: 'รอส่ง',
  status_sent: 'ส่งแล้ว',
  status_delivered: 'ถึงผู้รับแล้ว',
  status_read: 'อ่านแล้ว',
  status_failed: 'ส่งไม่สำเร็จ',
  conv_open: 'เปิดอยู่',
  conv_pending: 'รอดำเนินการ',
  conv_snoozed: 'เลื่อนไว้',
  conv_resolved: 'ปิดแล้ว',
  channel_web_chat: 'เว็บแชท',
  channel_email: 'อีเมล',
  channel_sms: 'SMS',
  channel_voice: 'โทรศัพท์',
  channel_line: 'LINE',
  channel_messenger: 'Messenger',
  channel_slack: 'Slack',
  identity_phone: 'โทรศัพท์',
  identity_email: 'อีเมล',
  identity_web_chat: 'ผู้เยี่ยมชมเว็บแชท',
  identity_line: 'LINE',
  identity_messenger: 'Messenger',
  identity_slack: 'Slack',
  previewImage: 'รูปภาพ',
  previewFile: 'ไฟล์',
  previewNote: 'บันทึก: {text}',
};

const tables: Record<Locale, Record<MessageKey, string>> = { en, th };

export type Translate = (key: MessageKey, vars?: Record<string, string>) => string;

/** `{name}` placeholders filled from `vars` (unknown ones left as they are). */
const fill = (text: string, vars?: Record<string, string>) =>
  vars ? text.replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole) : text;

export function translator(locale: Locale): Translate {
  const table = tables[locale];
  return (key, vars) => fill(table[key], vars);
}

export const isLocale = (value: unknown): value is Locale => value === 'en' || value === 'th';

/** The locale to show before anyone logs in: the last choice in this tab, else the browser's language. */
export function initialLocale(): Locale {
  const saved = sessionStorage.getItem('omnidesk.locale');
  if (isLocale(saved)) return saved;
  return navigator.language.toLowerCase().startsWith('th') ? 'th' : 'en';
}

export interface I18n {
  locale: Locale;
  t: Translate;
  /** Formats an epoch-ms time: the clock for today, the date and clock for older ones. */
  time: (epochMs: number) => string;
}

export function makeI18n(locale: Locale): I18n {
  const tag = locale === 'th' ? 'th-TH' : 'en-GB';
  const clock = new Intl.DateTimeFormat(tag, { hour: '2-digit', minute: '2-digit' });
  const dated = new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  return {
    locale,
    t: translator(locale),
    time: (ms) => (new Date(ms).toDateString() === new Date().toDateString() ? clock : dated).format(ms),
  };
}

export const I18nContext = createContext<I18n>(makeI18n('en'));
export const useI18n = (): I18n => useContext(I18nContext);

/**
 * Strings of a feature module (board/, admin/…) kept beside it: an English table and a Thai table
 * with the same keys (a missing Thai string is a type error), read in the current UI language.
 */
export function useStrings<K extends string>(tables: {
  en: Record<K, string>;
  th: Record<K, string>;
}): (key: K, vars?: Record<string, string>) => string {
  const { locale } = useI18n();
  const table = tables[locale];
  return (key, vars) => fill(table[key], vars);
}
