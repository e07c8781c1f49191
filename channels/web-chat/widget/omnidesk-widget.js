/*
 * Omnidesk web chat widget: plain browser JavaScript, no build step, no framework.
 *
 * Embed it with one tag (Omnidesk's base URL is taken from the tag's own src):
 *   <script src="https://desk.example.com/widget/omnidesk-widget.js" data-account="<channel account id>" async></script>
 * Optional attributes: data-locale="en|th" (default: the browser's language), data-color="#0f766e",
 * data-title="…", data-greeting="…". A page that builds its tag from script may instead set
 * `window.OmnideskWidget = { account, locale, color, title, greeting, baseUrl }` before loading it;
 * once loaded, `window.OmnideskWidget.open()` and `.close()` control the panel.
 *
 * Protocol: POST /webhooks/web_chat/<account>/sessions gives a visitor token (kept in localStorage,
 * so a reload returns to the same conversation); messages travel over socket.io
 * (visitor:send / visitor:message / visitor:typing / visitor:history); files are uploaded over HTTP
 * with the token as a bearer and then sent as attachment ids.
 *
 * Safety: the widget lives in a Shadow DOM (the host page's CSS cannot reach it), and message content
 * only ever goes into the page as text nodes (textContent), never as HTML.
 */
(function () {
  'use strict';

  const MAX_FILE_BYTES = 10 * 1024 * 1024;
  const ACCEPTED_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'];
  const MAX_TEXT_CHARS = 4000;
  const HISTORY_PAGE = 500; // the server's page size: a full page means there may be more
  const SEND_TIMEOUT_MS = 15000;
  const HISTORY_TIMEOUT_MS = 15000;
  const TYPING_IDLE_MS = 3000;
  const TYPING_KEEPALIVE_MS = 4000;
  const REMOTE_TYPING_TIMEOUT_MS = 8000;
  const NOTICE_MS = 8000;

  const STRINGS = {
    en: {
      openChat: 'Open chat',
      closeChat: 'Close chat',
      minimize: 'Minimize chat',
      title: 'Chat with us',
      subtitle: 'We usually reply within a few minutes',
      connecting: 'Connecting…',
      reconnecting: 'Reconnecting…',
      greeting: 'Hi there 👋 How can we help you today?',
      formIntro: 'Tell us who you are so we can help you faster. Both fields are optional.',
      name: 'Name',
      namePlaceholder: 'Your name',
      email: 'Email',
      emailPlaceholder: 'you@example.com',
      emailInvalid: 'Enter a valid email address, or leave it empty.',
      startChat: 'Start chat',
      starting: 'Starting…',
      composer: 'Type a message…',
      send: 'Send',
      attach: 'Attach a file',
      messages: 'Messages',
      you: 'You',
      sending: 'Sending…',
      uploading: 'Uploading…',
      sent: 'Sent',
      notSent: 'Not sent',
      retry: 'Retry',
      remove: 'Remove',
      sendTimeout: 'No answer from the server.',
      typing: (name) => `${name} is typing…`,
      someoneTyping: 'An agent is typing…',
      fileTooBig: 'That file is larger than 10 MB. Send a smaller one.',
      fileType: 'Send an image (PNG, JPEG, GIF, WebP), a PDF or a text file.',
      textTooLong: `Messages are limited to ${MAX_TEXT_CHARS} characters.`,
      uploadFailed: 'The upload failed. Check your connection and try again.',
      startFailed: 'We could not start the chat. Check your connection and try again.',
      sessionEnded: 'Your previous chat session has ended. Please start a new one.',
      download: 'Download',
      unavailable: 'Not available',
      dismiss: 'Dismiss',
      poweredBy: 'Powered by Omnidesk',
      rate: 'Rate us',
      rateScore: (n) => `${n} out of 5`,
      rateScale: '1 = poor · 5 = excellent',
      rated: (n) => `Thank you! You gave us ${n} out of 5.`,
    },
    th: {
      openChat: 'เปิดแชท',
      closeChat: 'ปิดแชท',
      minimize: 'ย่อหน้าต่างแชท',
      title: 'แชทกับเรา',
      subtitle: 'ปกติเราตอบกลับภายในไม่กี่นาที',
      connecting: 'กำลังเชื่อมต่อ…',
      reconnecting: 'กำลังเชื่อมต่อใหม่…',
      greeting: 'สวัสดีค่ะ 👋 มีอะไรให้เราช่วยไหมคะ',
      formIntro: 'แนะนำตัวสักนิดเพื่อให้เราช่วยคุณได้เร็วขึ้น ไม่กรอกก็ได้',
      name: 'ชื่อ',
      namePlaceholder: 'ชื่อของคุณ',
      email: 'อีเมล',
      emailPlaceholder: 'you@example.com',
      emailInvalid: 'กรอกอีเมลให้ถูกต้อง หรือเว้นว่างไว้',
      startChat: 'เริ่มแชท',
      starting: 'กำลังเริ่ม…',
      composer: 'พิมพ์ข้อความ…',
      send: 'ส่ง',
      attach: 'แนบไฟล์',
      messages: 'ข้อความ',
      you: 'คุณ',
      sending: 'กำลังส่ง…',
      uploading: 'กำลังอัปโหลด…',
      sent: 'ส่งแล้ว',
      notSent: 'ส่งไม่สำเร็จ',
      retry: 'ลองอีกครั้ง',
      remove: 'ลบ',
      sendTimeout: 'เซิร์ฟเวอร์ไม่ตอบสนอง',
      typing: (name) => `${name} กำลังพิมพ์…`,
      someoneTyping: 'เจ้าหน้าที่กำลังพิมพ์…',
      fileTooBig: 'ไฟล์ใหญ่เกิน 10 MB กรุณาส่งไฟล์ที่เล็กกว่านี้',
      fileType: 'ส่งได้เฉพาะรูปภาพ (PNG, JPEG, GIF, WebP), PDF หรือไฟล์ข้อความ',
      textTooLong: `ข้อความยาวได้ไม่เกิน ${MAX_TEXT_CHARS} ตัวอักษร`,
      uploadFailed: 'อัปโหลดไม่สำเร็จ ตรวจสอบการเชื่อมต่อแล้วลองอีกครั้ง',
      startFailed: 'เริ่มแชทไม่สำเร็จ ตรวจสอบการเชื่อมต่อแล้วลองอีกครั้ง',
      sessionEnded: 'การแชทครั้งก่อนสิ้นสุดแล้ว กรุณาเริ่มแชทใหม่',
      download: 'ดาวน์โหลด',
      unavailable: 'ไม่พร้อมใช้งาน',
      dismiss: 'ปิด',
      poweredBy: 'ให้บริการโดย Omnidesk',
      rate: 'ให้คะแนน',
      rateScore: (n) => `${n} จาก 5`,
      rateScale: '1 = ไม่พอใจ · 5 = พอใจมาก',
      rated: (n) => `ขอบคุณค่ะ คุณให้คะแนน ${n} จาก 5`,
    },
  };

  // Lucide-style 24×24 stroke icons, built as SVG elements (no HTML strings anywhere).
  const ICONS = {
    chat: 'M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z',
    close: 'M18 6 6 18M6 6l12 12',
    minimize: 'm6 9 6 6 6-6',
    attach: 'm21.44 11.05-9.19 9.19a6 6 0 0 1-8.49-8.49l8.57-8.57A4 4 0 1 1 18 8.84l-8.59 8.57a2 2 0 0 1-2.83-2.83l8.49-8.48',
    send: 'M22 2 11 13M22 2l-7 20-4-9-9-4 20-7z',
    file: 'M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zM14 2v6h6',
  };

  const FONT_STACK =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans Thai', 'Sarabun', " +
    "'Leelawadee UI', Thonburi, Tahoma, sans-serif, 'Apple Color Emoji', 'Segoe UI Emoji', 'Noto Color Emoji'";

  const CSS = `
:host { all: initial; }
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
.root {
  font-family: ${FONT_STACK};
  font-size: 14px; line-height: 1.5; color: #1f2328;
  -webkit-font-smoothing: antialiased; text-rendering: optimizeLegibility;
}
button, input, textarea { font: inherit; color: inherit; margin: 0; }
button { cursor: pointer; }
:focus-visible { outline: 2px solid var(--brand); outline-offset: 2px; }

.launcher {
  position: fixed; right: 20px; bottom: 20px; width: 60px; height: 60px; padding: 0;
  border: 0; border-radius: 50%; background: var(--brand); color: var(--on-brand);
  display: grid; place-items: center;
  box-shadow: 0 6px 20px rgba(17, 24, 39, .25), 0 2px 6px rgba(17, 24, 39, .15);
  transition: transform .15s ease, box-shadow .15s ease;
}
.launcher:hover { transform: translateY(-2px); box-shadow: 0 10px 26px rgba(17, 24, 39, .28), 0 3px 8px rgba(17, 24, 39, .16); }
.launcher svg { width: 28px; height: 28px; grid-area: 1 / 1; transition: transform .2s ease, opacity .2s ease; }
.launcher .icon-close { opacity: 0; transform: rotate(-90deg) scale(.6); }
.launcher[aria-expanded="true"] .icon-chat { opacity: 0; transform: rotate(90deg) scale(.6); }
.launcher[aria-expanded="true"] .icon-close { opacity: 1; transform: none; }
.badge {
  position: absolute; top: -2px; right: -2px; min-width: 20px; height: 20px; padding: 0 6px;
  border-radius: 10px; background: #dc2626; color: #fff; border: 2px solid #fff;
  font-size: 11px; font-weight: 700; line-height: 16px; text-align: center;
}

.panel {
  position: fixed; right: 20px; bottom: 92px; width: 376px; height: min(620px, calc(100vh - 112px));
  display: flex; flex-direction: column; overflow: hidden;
  background: #fff; border-radius: 16px;
  box-shadow: 0 16px 48px rgba(17, 24, 39, .22), 0 2px 8px rgba(17, 24, 39, .08);
  transform-origin: bottom right; animation: pop-in .18s ease-out;
}
@keyframes pop-in { from { opacity: 0; transform: translateY(8px) scale(.98); } }

.header {
  display: flex; align-items: center; gap: 12px; padding: 16px 12px 16px 18px;
  background: var(--brand); color: var(--on-brand);
}
.header-text { flex: 1; min-width: 0; }
.title { margin: 0; font-size: 16px; font-weight: 650; line-height: 1.35; }
.status { display: flex; align-items: center; gap: 6px; font-size: 12.5px; opacity: .92; }
.dot { width: 8px; height: 8px; border-radius: 50%; background: #fbbf24; flex: none; }
.status[data-state="online"] .dot { background: #4ade80; }
.status[data-state="idle"] .dot { display: none; }
.icon-button {
  width: 36px; height: 36px; padding: 0; border: 0; border-radius: 10px; flex: none;
  display: grid; place-items: center; background: transparent; color: inherit;
}
.icon-button svg { width: 20px; height: 20px; }
.header .icon-button:hover { background: rgba(255, 255, 255, .16); }

.view { flex: 1; min-height: 0; display: flex; flex-direction: column; }
.form { padding: 22px 20px; overflow-y: auto; gap: 14px; }
.intro { margin: 0 0 4px; color: #4b5563; }
.field { display: flex; flex-direction: column; gap: 6px; }
.field span { font-size: 13px; font-weight: 600; color: #374151; }
.field input {
  width: 100%; padding: 10px 12px; border: 1px solid #d0d5dd; border-radius: 10px; background: #fff;
  font-size: 14.5px; transition: border-color .15s ease, box-shadow .15s ease;
}
.field input:focus { outline: none; border-color: var(--brand); box-shadow: 0 0 0 3px var(--brand-soft); }
.primary {
  height: 44px; border: 0; border-radius: 10px; background: var(--brand); color: var(--on-brand);
  font-size: 15px; font-weight: 600; margin-top: 4px;
}
.primary:disabled { opacity: .6; cursor: default; }
.form-error { margin: 0; color: #b42318; font-size: 13px; }

.list { flex: 1; min-height: 0; overflow-y: auto; padding: 16px 14px 8px; background: #f7f8fa; overscroll-behavior: contain; }
.msg { display: flex; flex-direction: column; align-items: flex-start; gap: 4px; margin-top: 12px; }
.msg:first-child { margin-top: 0; }
.msg.mine { align-items: flex-end; }
.parts { display: contents; }
.msg.mine + .msg.mine, .msg.theirs + .msg.theirs { margin-top: 4px; }
.bubble {
  max-width: 80%; padding: 8px 13px; border-radius: 18px; font-size: 14.5px; line-height: 1.55;
  white-space: pre-wrap; overflow-wrap: anywhere;
}
.theirs .bubble { background: #fff; border: 1px solid #e7e9ee; border-bottom-left-radius: 6px; }
.mine .bubble { background: var(--brand); color: var(--on-brand); border-bottom-right-radius: 6px; }
.bubble a { color: inherit; text-decoration: underline; text-underline-offset: 2px; }
.mine.pending .bubble, .mine.pending .media, .mine.pending .file { opacity: .65; }
.mine.failed .bubble { background: #fef3f2; color: #912018; border: 1px solid #fecdca; }
.mine.failed .media, .mine.failed .file { border-color: #fecdca; }
.media { display: block; max-width: 80%; border-radius: 14px; overflow: hidden; border: 1px solid #e7e9ee; background: #eef0f3; }
.media img { display: block; max-width: 100%; max-height: 240px; min-width: 48px; min-height: 48px; object-fit: contain; }
.file {
  display: flex; align-items: center; gap: 10px; max-width: 80%; padding: 10px 12px;
  border-radius: 14px; border: 1px solid #e7e9ee; background: #fff; color: #1f2328; text-decoration: none;
}
.file svg { width: 22px; height: 22px; flex: none; color: var(--brand-ink); }
.file-text { display: flex; flex-direction: column; min-width: 0; }
.file-name { font-weight: 600; font-size: 13.5px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.file-size { font-size: 12px; color: #6b7280; }
.meta { display: flex; align-items: center; gap: 8px; padding: 0 6px; font-size: 11.5px; color: #6b7280; }
.failed .meta { color: #b42318; }
.link-button { padding: 0; border: 0; background: none; color: var(--brand-ink); font-weight: 600; font-size: 11.5px; text-decoration: underline; }
.failed .link-button { color: #b42318; }

.typing { min-height: 24px; padding: 2px 18px; font-size: 12.5px; color: #6b7280; background: #f7f8fa; display: flex; align-items: center; gap: 6px; }
.dots { display: inline-flex; gap: 3px; }
.dots i { width: 5px; height: 5px; border-radius: 50%; background: #9ca3af; animation: blink 1.2s infinite ease-in-out; }
.dots i:nth-child(2) { animation-delay: .2s; }
.dots i:nth-child(3) { animation-delay: .4s; }
@keyframes blink { 0%, 80%, 100% { opacity: .3; } 40% { opacity: 1; } }

.notice {
  display: flex; align-items: flex-start; gap: 8px; margin: 0 12px 8px; padding: 8px 8px 8px 12px;
  border-radius: 10px; background: #fef3f2; color: #912018; font-size: 13px;
}
.notice span { flex: 1; }
.notice .icon-button { width: 22px; height: 22px; border-radius: 6px; }
.notice .icon-button svg { width: 14px; height: 14px; }

.composer { display: flex; align-items: flex-end; gap: 4px; padding: 8px 8px 8px 12px; border-top: 1px solid #eceef1; background: #fff; }
.composer textarea {
  flex: 1; min-width: 0; resize: none; border: 0; outline: none; background: transparent;
  padding: 8px 4px; max-height: 120px; font-size: 14.5px; line-height: 1.45;
}
.composer textarea::placeholder { color: #9ca3af; }
.composer .icon-button { color: #6b7280; }
.composer .icon-button:hover { background: #f2f4f7; color: #374151; }
.composer .send { color: var(--brand-ink); }
.composer .send:disabled { color: #c4c9d2; background: none; cursor: default; }
.footer { padding: 0 0 8px; text-align: center; font-size: 11px; color: #9ca3af; background: #fff; }

.csat { display: flex; flex-direction: column; gap: 6px; max-width: 80%; }
.csat-buttons { display: flex; gap: 6px; }
.csat-buttons button {
  width: 40px; height: 40px; border-radius: 10px; border: 1px solid #d0d5dd; background: #fff;
  font-size: 15px; font-weight: 650; color: #1f2328;
}
.csat-buttons button:hover:not(:disabled), .csat-buttons button:focus-visible { border-color: var(--brand); background: var(--brand-soft); }
.csat-buttons button:disabled { opacity: .5; cursor: default; }
.csat-scale { font-size: 11.5px; color: #6b7280; }
.csat-done { font-size: 13px; color: var(--brand-ink); font-weight: 600; }

@media (max-width: 480px) {
  .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; animation: none; }
  .launcher[aria-expanded="true"] { display: none; }
}
@media (prefers-reduced-motion: reduce) {
  .panel, .dots i { animation: none; }
  .launcher, .launcher svg { transition: none; }
}
`;

  // ---------------------------------------------------------------- small helpers

  /** Builds an element. Children that are strings become text nodes, so content is never parsed as HTML. */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = value;
      else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) el.append(child);
    return el;
  }

  function icon(name) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    const attrs = {
      viewBox: '0 0 24 24',
      fill: 'none',
      stroke: 'currentColor',
      'stroke-width': '2',
      'stroke-linecap': 'round',
      'stroke-linejoin': 'round',
      'aria-hidden': 'true',
      class: `icon-${name}`,
    };
    for (const [k, v] of Object.entries(attrs)) svg.setAttribute(k, v);
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', ICONS[name]);
    svg.append(path);
    return svg;
  }

  /** Text with http(s) links made clickable; everything stays text nodes. */
  function textWithLinks(text) {
    const fragment = document.createDocumentFragment();
    let last = 0;
    for (const match of text.matchAll(/\bhttps?:\/\/[^\s<>"']+/g)) {
      const url = match[0].replace(/[).,!?;:]+$/, '');
      fragment.append(text.slice(last, match.index));
      fragment.append(h('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow' }, url));
      last = match.index + url.length;
    }
    fragment.append(text.slice(last));
    return fragment;
  }

  function newClientMessageId() {
    if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; getRandomValues does not.
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function formatSize(bytes) {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  }

  /** Accepts only hex colours (the value lands in CSS); returns the colour and a readable text colour on it. */
  function brandColors(value) {
    const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(value || '') ? value : '#0f766e';
    const full = hex.length === 4 ? `#${[...hex.slice(1)].map((c) => c + c).join('')}` : hex;
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(full.slice(i, i + 2), 16) / 255);
    const lum = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    const light = 0.2126 * lum(r) + 0.7152 * lum(g) + 0.0722 * lum(b) > 0.45;
    return { brand: full, onBrand: light ? '#111827' : '#ffffff', ink: light ? '#374151' : full, soft: `${full}33` };
  }

  // Storage can be unavailable (privacy modes, sandboxed frames): fall back to memory.
  const memoryStore = new Map();
  function storageGet(storage, key) {
    try {
      return window[storage].getItem(key);
    } catch {
      return memoryStore.get(`${storage}:${key}`) ?? null;
    }
  }
  function storageSet(storage, key, value) {
    try {
      if (value === null) window[storage].removeItem(key);
      else window[storage].setItem(key, value);
    } catch {
      if (value === null) memoryStore.delete(`${storage}:${key}`);
      else memoryStore.set(`${storage}:${key}`, value);
    }
  }

  // ---------------------------------------------------------------- configuration

  function findOwnScript() {
    const current = document.currentScript;
    if (current && /omnidesk-widget/.test(current.src)) return current;
    return (
      document.querySelector('script[data-account][src*="omnidesk-widget"]') || document.querySelector('script[src*="omnidesk-widget"]')
    );
  }

  function readConfig() {
    const script = findOwnScript();
    const global = window.OmnideskWidget && typeof window.OmnideskWidget === 'object' ? window.OmnideskWidget : {};
    const data = (script && script.dataset) || {};
    let base = global.baseUrl;
    if (!base && script && script.src) {
      const url = new URL(script.src, location.href);
      base = url.origin + url.pathname.replace(/\/widget\/[^/]*$/, '');
    }
    const wanted = data.locale || global.locale || navigator.language || 'en';
    return {
      account: data.account || global.account || '',
      base: (base || location.origin).replace(/\/+$/, ''),
      locale: /^th/i.test(wanted) ? 'th' : 'en',
      color: data.color || global.color,
      title: data.title || global.title,
      greeting: data.greeting || global.greeting,
    };
  }

  // ---------------------------------------------------------------- server calls

  async function errorFrom(res, fallback) {
    try {
      const body = await res.json();
      if (body && body.error && body.error.message)
        return Object.assign(new Error(body.error.message), { code: body.error.code, status: res.status });
    } catch {
      // not JSON: use the fallback
    }
    return Object.assign(new Error(fallback), { status: res.status });
  }

  async function startSession(cfg, profile) {
    const body = { locale: cfg.locale };
    if (profile.name) body.name = profile.name;
    if (profile.email) body.email = profile.email;
    const res = await fetch(`${cfg.base}/webhooks/web_chat/${encodeURIComponent(cfg.account)}/sessions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw await errorFrom(res, STRINGS[cfg.locale].startFailed);
    return res.json();
  }

  async function uploadFile(cfg, token, file) {
    const form = new FormData();
    form.append('file', file, file.name);
    const res = await fetch(`${cfg.base}/webhooks/web_chat/${encodeURIComponent(cfg.account)}/uploads`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: form,
    });
    if (res.status !== 201) throw await errorFrom(res, STRINGS[cfg.locale].uploadFailed);
    return (await res.json()).attachment;
  }

  async function downloadAttachment(cfg, token, attachmentId) {
    const res = await fetch(
      `${cfg.base}/webhooks/web_chat/${encodeURIComponent(cfg.account)}/attachments/${encodeURIComponent(attachmentId)}`,
      {
        headers: { Authorization: `Bearer ${token}` },
      },
    );
    if (!res.ok) throw await errorFrom(res, STRINGS[cfg.locale].unavailable);
    return URL.createObjectURL(await res.blob());
  }

  let socketIoLoading = null;
  /** Loads socket.io's browser client from Omnidesk itself, without taking over a page's own `io` global. */
  function loadSocketIo(base) {
    socketIoLoading ??= new Promise((resolve, reject) => {
      const hadIo = Object.prototype.hasOwnProperty.call(window, 'io');
      const pageIo = window.io;
      const script = document.createElement('script');
      script.src = `${base}/socket.io/socket.io.min.js`;
      script.async = true;
      script.onload = () => {
        const ours = window.io;
        if (hadIo) window.io = pageIo;
        else delete window.io;
        if (typeof ours === 'function') resolve(ours);
        else reject(new Error('socket.io client did not load'));
      };
      script.onerror = () => {
        socketIoLoading = null;
        reject(new Error('socket.io client did not load'));
      };
      document.head.append(script);
    });
    return socketIoLoading;
  }

  // ---------------------------------------------------------------- the widget

  class Widget {
    constructor(cfg) {
      this.cfg = cfg;
      this.t = STRINGS[cfg.locale];
      this.sessionKey = `omnidesk.webchat.${cfg.account}`;
      this.openKey = `omnidesk.webchat.open.${cfg.account}`;
      this.session = this.readSession();
      this.socket = null;
      this.entries = []; // the timeline: own pending messages and everything the server confirmed
      this.byId = new Map();
      this.byClientId = new Map();
      this.cursor = null; // newest message id known from history or a push: where catch-up resumes
      this.synced = false;
      this.seq = 0;
      this.unread = 0;
      this.attachmentUrls = new Map();
      this.typingOn = false;
      this.typingSentAt = 0;
      this.recoveries = 0;
      this.timeFormat = new Intl.DateTimeFormat(cfg.locale === 'th' ? 'th-TH' : 'en-US', {
        hour: cfg.locale === 'th' ? '2-digit' : 'numeric',
        minute: '2-digit',
      });
    }

    // --- session storage

    readSession() {
      try {
        const saved = JSON.parse(storageGet('localStorage', this.sessionKey) || 'null');
        return saved && typeof saved.token === 'string' ? saved : null;
      } catch {
        return null;
      }
    }

    saveSession(session) {
      this.session = session;
      storageSet('localStorage', this.sessionKey, session ? JSON.stringify(session) : null);
    }

    // --- building the DOM

    mount() {
      const host = document.createElement('omnidesk-widget');
      // Inline !important styles: the host page's rules cannot hide or move the widget's container.
      host.style.cssText =
        'all: initial !important; display: block !important; position: fixed !important; right: 0 !important; bottom: 0 !important; width: 0 !important; height: 0 !important; z-index: 2147483000 !important;';
      const shadow = host.attachShadow({ mode: 'open' });
      const colors = brandColors(this.cfg.color);
      const root = h('div', { class: 'root', lang: this.cfg.locale });
      root.style.setProperty('--brand', colors.brand);
      root.style.setProperty('--on-brand', colors.onBrand);
      root.style.setProperty('--brand-ink', colors.ink);
      root.style.setProperty('--brand-soft', colors.soft);
      root.append(this.buildLauncher(), this.buildPanel());
      shadow.append(h('style', { text: CSS }), root);
      document.body.append(host);
      this.showView();
      if (this.session) this.connect();
      else this.setStatus('idle');
      if (storageGet('sessionStorage', this.openKey) === '1') this.open();
    }

    buildLauncher() {
      this.badge = h('span', { class: 'badge', hidden: true, 'aria-hidden': 'true' });
      this.launcher = h(
        'button',
        { class: 'launcher', type: 'button', 'aria-label': this.t.openChat, 'aria-expanded': 'false', onclick: () => this.toggle() },
        icon('chat'),
        icon('close'),
        this.badge,
      );
      return this.launcher;
    }

    buildPanel() {
      const t = this.t;
      this.statusText = h('span', { text: t.connecting });
      this.status = h('div', { class: 'status', 'data-state': 'connecting' }, h('span', { class: 'dot' }), this.statusText);
      const header = h(
        'div',
        { class: 'header' },
        h('div', { class: 'header-text' }, h('h2', { class: 'title', text: this.cfg.title || t.title }), this.status),
        h('button', { class: 'icon-button', type: 'button', 'aria-label': t.minimize, onclick: () => this.close() }, icon('minimize')),
      );
      this.panel = h(
        'section',
        {
          class: 'panel',
          role: 'dialog',
          'aria-label': this.cfg.title || t.title,
          hidden: true,
          onkeydown: (e) => e.key === 'Escape' && this.close(),
        },
        header,
        this.buildForm(),
        this.buildChat(),
        h('div', { class: 'footer', text: t.poweredBy }),
      );
      return this.panel;
    }

    buildForm() {
      const t = this.t;
      this.nameInput = h('input', { type: 'text', name: 'name', autocomplete: 'name', maxlength: '200', placeholder: t.namePlaceholder });
      this.emailInput = h('input', {
        type: 'email',
        name: 'email',
        autocomplete: 'email',
        maxlength: '320',
        placeholder: t.emailPlaceholder,
      });
      this.formError = h('p', { class: 'form-error', role: 'alert', hidden: true });
      this.startButton = h('button', { class: 'primary', type: 'submit', text: t.startChat });
      this.form = h(
        'form',
        { class: 'view form', novalidate: true, onsubmit: (e) => (e.preventDefault(), this.submitForm()) },
        h('p', { class: 'intro', text: this.cfg.greeting || t.greeting }),
        h('p', { class: 'intro', text: t.formIntro }),
        h('label', { class: 'field' }, h('span', { text: t.name }), this.nameInput),
        h('label', { class: 'field' }, h('span', { text: t.email }), this.emailInput),
        this.formError,
        this.startButton,
      );
      return this.form;
    }

    buildChat() {
      const t = this.t;
      this.list = h('div', { class: 'list', role: 'log', 'aria-live': 'polite', 'aria-label': t.messages });
      this.greetingNode = h('div', { class: 'msg theirs greeting' }, h('div', { class: 'bubble', text: this.cfg.greeting || t.greeting }));
      this.list.append(this.greetingNode);
      this.typingLine = h('div', { class: 'typing', 'aria-live': 'polite' });
      this.noticeText = h('span');
      this.notice = h(
        'div',
        { class: 'notice', role: 'alert', hidden: true },
        this.noticeText,
        h('button', { class: 'icon-button', type: 'button', 'aria-label': t.dismiss, onclick: () => this.hideNotice() }, icon('close')),
      );
      this.fileInput = h('input', { type: 'file', accept: ACCEPTED_TYPES.join(','), hidden: true, onchange: () => this.onFileChosen() });
      this.textarea = h('textarea', {
        rows: '1',
        maxlength: String(MAX_TEXT_CHARS),
        placeholder: t.composer,
        'aria-label': t.composer,
        oninput: () => this.onComposerInput(),
        onkeydown: (e) => this.onComposerKey(e),
      });
      this.sendButton = h(
        'button',
        { class: 'icon-button send', type: 'button', 'aria-label': t.send, disabled: true, onclick: () => this.sendText() },
        icon('send'),
      );
      this.chat = h(
        'div',
        { class: 'view chat', hidden: true },
        this.list,
        this.typingLine,
        this.notice,
        h(
          'div',
          { class: 'composer' },
          h(
            'button',
            { class: 'icon-button attach', type: 'button', 'aria-label': t.attach, title: t.attach, onclick: () => this.fileInput.click() },
            icon('attach'),
          ),
          this.fileInput,
          this.textarea,
          this.sendButton,
        ),
      );
      return this.chat;
    }

    showView() {
      this.form.hidden = Boolean(this.session);
      this.chat.hidden = !this.session;
    }

    // --- opening and closing

    toggle() {
      if (this.panel.hidden) this.open();
      else this.close();
    }

    open() {
      this.panel.hidden = false;
      this.launcher.setAttribute('aria-expanded', 'true');
      this.launcher.setAttribute('aria-label', this.t.closeChat);
      storageSet('sessionStorage', this.openKey, '1');
      this.unread = 0;
      this.updateBadge();
      this.scrollToBottom();
      (this.session ? this.textarea : this.nameInput).focus({ preventScroll: true });
    }

    close() {
      this.panel.hidden = true;
      this.launcher.setAttribute('aria-expanded', 'false');
      this.launcher.setAttribute('aria-label', this.t.openChat);
      storageSet('sessionStorage', this.openKey, null);
      this.stopTyping();
    }

    updateBadge() {
      this.badge.hidden = this.unread === 0;
      this.badge.textContent = this.unread > 9 ? '9+' : String(this.unread);
    }

    setStatus(state) {
      this.status.dataset.state = state;
      const text = { idle: this.t.subtitle, online: this.t.subtitle, reconnecting: this.t.reconnecting, connecting: this.t.connecting };
      this.statusText.textContent = text[state];
    }

    // --- the pre-chat form

    async submitForm() {
      const t = this.t;
      const profile = { name: this.nameInput.value.trim(), email: this.emailInput.value.trim() };
      if (profile.email && !this.emailInput.checkValidity()) return this.showFormError(t.emailInvalid);
      this.startButton.disabled = true;
      this.startButton.textContent = t.starting;
      this.showFormError(null);
      try {
        await this.begin(profile);
        this.textarea.focus();
      } catch (err) {
        this.showFormError(err.message || t.startFailed);
      } finally {
        this.startButton.disabled = false;
        this.startButton.textContent = t.startChat;
      }
    }

    showFormError(message) {
      this.formError.hidden = !message;
      this.formError.textContent = message || '';
    }

    /** Starts a new visitor session and connects to it. */
    async begin(profile) {
      const { token } = await startSession(this.cfg, profile);
      this.saveSession({ token, name: profile.name || null, email: profile.email || null });
      this.showView();
      this.connect();
    }

    // --- the socket

    async connect() {
      this.setStatus('connecting');
      let io;
      try {
        io = await loadSocketIo(this.cfg.base);
      } catch {
        this.showNotice(this.t.startFailed);
        return;
      }
      const base = new URL(this.cfg.base);
      const socket = io(base.origin, {
        path: `${base.pathname.replace(/\/$/, '')}/socket.io`,
        auth: { visitorToken: this.session.token },
        transports: ['websocket', 'polling'],
      });
      this.socket = socket;
      socket.on('connect', () => this.onConnect(socket));
      socket.on('disconnect', () => this.setStatus('reconnecting'));
      socket.on('connect_error', (err) => this.onConnectError(socket, err));
      socket.on('visitor:message', (message, ack) => {
        if (typeof ack === 'function') ack(true);
        this.merge(message, 'push');
      });
      socket.on('visitor:typing', (event) => this.showRemoteTyping(event));
    }

    async onConnect(socket) {
      if (socket !== this.socket) return;
      this.setStatus('online');
      try {
        await this.catchUp(socket);
      } catch {
        // history will be fetched again on the next reconnect
      }
      for (const entry of this.entries) if (!entry.id && entry.state === 'pending') this.deliver(entry);
    }

    onConnectError(socket, err) {
      if (socket !== this.socket) return;
      if (/unknown/i.test(err.message || '')) return this.recoverSession();
      this.setStatus('reconnecting');
      // A middleware refusal stops socket.io's own retries: try again later ourselves.
      if (!socket.active) setTimeout(() => socket === this.socket && socket.connect(), 5000);
    }

    /** The stored session is gone (expired or deleted): start a new one, keeping unsent messages. */
    async recoverSession() {
      const profile = this.session || {};
      this.socket.close();
      this.socket = null;
      this.saveSession(null);
      this.clearTimeline({ keepUnsent: true });
      if (this.recoveries++ > 0) {
        this.showView();
        this.showFormError(this.t.sessionEnded);
        return;
      }
      try {
        await this.begin({ name: profile.name, email: profile.email });
      } catch {
        this.showView();
        this.showFormError(this.t.sessionEnded);
      }
    }

    clearTimeline({ keepUnsent }) {
      const kept = keepUnsent ? this.entries.filter((e) => !e.id) : [];
      for (const entry of this.entries) if (!kept.includes(entry)) entry.node.remove();
      this.entries = kept;
      this.byId.clear();
      this.byClientId = new Map(kept.map((e) => [e.clientMessageId, e]));
      this.cursor = null;
      this.synced = false;
    }

    /** Fetches every message after the cursor, page by page (after a reload or a dropped connection). */
    async catchUp(socket) {
      for (;;) {
        const res = await socket.timeout(HISTORY_TIMEOUT_MS).emitWithAck('visitor:history', this.cursor ? { after: this.cursor } : {});
        if (!res || !res.ok) return;
        for (const message of res.messages) this.merge(message, this.synced ? 'history' : 'initial');
        if (res.messages.length < HISTORY_PAGE) break;
      }
      this.synced = true;
    }

    // --- the timeline

    addOwn(parts, extra) {
      const entry = {
        seq: ++this.seq,
        id: null,
        clientMessageId: newClientMessageId(),
        direction: 'inbound',
        parts,
        createdAt: Date.now(),
        state: 'pending',
        error: null,
        node: null,
        ...extra,
      };
      this.entries.push(entry);
      this.byClientId.set(entry.clientMessageId, entry);
      this.render(entry, true);
      return entry;
    }

    /** Adds or updates a message from the server; own messages match their pending bubble by client id. */
    merge(message, source) {
      let entry = this.byId.get(message.id) || (message.clientMessageId && this.byClientId.get(message.clientMessageId));
      const isNew = !entry;
      if (!entry) {
        entry = { seq: ++this.seq, clientMessageId: message.clientMessageId, node: null };
        this.entries.push(entry);
        if (message.clientMessageId) this.byClientId.set(message.clientMessageId, entry);
      }
      Object.assign(entry, {
        id: message.id,
        direction: message.direction,
        parts: message.parts,
        createdAt: message.createdAt,
        state: 'sent',
        error: null,
        csat: message.csat || null,
      });
      this.byId.set(message.id, entry);
      const fromServerFeed = source === 'initial' || source === 'history' || (source === 'push' && message.direction === 'outbound');
      if (fromServerFeed && (!this.cursor || message.id > this.cursor)) this.cursor = message.id;
      if (isNew && message.direction === 'outbound') {
        this.hideRemoteTyping();
        if (source !== 'initial' && this.panel.hidden) {
          this.unread += 1;
          this.updateBadge();
        }
      }
      this.render(entry, message.direction === 'inbound');
    }

    render(entry, forceScroll) {
      const stick = forceScroll || this.isNearBottom();
      const mine = entry.direction === 'inbound';
      const partsKey = JSON.stringify([entry.parts, entry.csat || null]);
      if (!entry.node) entry.node = h('div', { class: 'msg' });
      if (entry.partsKey !== partsKey) {
        entry.partsKey = partsKey;
        entry.partsNode?.remove();
        entry.partsNode = h(
          'div',
          { class: 'parts' },
          entry.parts.map((part) => this.renderPart(part, entry)),
          entry.csat ? this.renderCsat(entry) : null,
        );
        entry.node.prepend(entry.partsNode);
      }
      entry.node.className = `msg ${mine ? 'mine' : 'theirs'} ${entry.state === 'sent' ? '' : entry.state === 'failed' ? 'failed' : 'pending'}`;
      entry.node.dataset.state = entry.state;
      entry.metaNode?.remove();
      entry.metaNode = this.renderMeta(entry, mine);
      entry.node.append(entry.metaNode);
      this.placeInOrder();
      if (stick) this.scrollToBottom();
    }

    renderPart(part, entry) {
      if (part.type === 'text') return h('div', { class: 'bubble' }, textWithLinks(part.text));
      if (part.type === 'image') return this.renderImage(part, entry);
      return this.renderFile(part);
    }

    /** A satisfaction survey: five score buttons (sent with visitor:csat), or the score once given. */
    renderCsat(entry) {
      const t = this.t;
      if (entry.csat.score) return h('div', { class: 'csat csat-done', role: 'status', text: t.rated(entry.csat.score) });
      const buttons = [1, 2, 3, 4, 5].map((n) =>
        h('button', { type: 'button', 'aria-label': t.rateScore(n), text: String(n), onclick: () => this.rate(entry, n, buttons) }),
      );
      return h(
        'div',
        { class: 'csat', role: 'group', 'aria-label': t.rate },
        h('div', { class: 'csat-buttons' }, buttons),
        h('div', { class: 'csat-scale', text: t.rateScale }),
      );
    }

    rate(entry, score, buttons) {
      const socket = this.socket;
      if (!socket || !socket.connected) return this.showNotice(this.t.sendTimeout);
      for (const b of buttons) b.disabled = true;
      socket.timeout(SEND_TIMEOUT_MS).emit('visitor:csat', { messageId: entry.id, score }, (err, res) => {
        if (err || !res || !res.ok) {
          for (const b of buttons) b.disabled = false;
          return this.showNotice((res && res.error && res.error.message) || this.t.sendTimeout);
        }
        entry.csat = { score: res.score };
        this.render(entry);
      });
    }

    renderImage(part, entry) {
      const img = h('img', { alt: part.filename });
      const link = h('a', { class: 'media', target: '_blank', rel: 'noopener', title: part.filename }, img);
      img.addEventListener('load', () => this.isNearBottom(200) && this.scrollToBottom());
      img.addEventListener('error', () => link.replaceWith(this.renderFile(part)));
      const url = part.attachmentId ? this.attachmentUrl(part.attachmentId) : Promise.resolve(entry.previewUrl);
      url.then(
        (src) => {
          img.src = src;
          link.href = src;
        },
        () => link.replaceWith(this.renderFile(part)),
      );
      return link;
    }

    renderFile(part) {
      const link = h(
        'a',
        { class: 'file', href: '#', title: `${this.t.download} ${part.filename}` },
        icon('file'),
        h(
          'span',
          { class: 'file-text' },
          h('span', { class: 'file-name', text: part.filename }),
          h('span', { class: 'file-size', text: formatSize(part.size) }),
        ),
      );
      link.addEventListener('click', async (e) => {
        if (link.dataset.ready) return;
        e.preventDefault();
        if (!part.attachmentId) return;
        try {
          link.href = await this.attachmentUrl(part.attachmentId);
          link.download = part.filename;
          link.dataset.ready = '1';
          link.click();
        } catch (err) {
          this.showNotice(err.message || this.t.unavailable);
        }
      });
      return link;
    }

    renderMeta(entry, mine) {
      const t = this.t;
      const time = this.timeFormat.format(new Date(entry.createdAt));
      if (!mine) return h('div', { class: 'meta' }, time);
      if (entry.state === 'failed') {
        const retry =
          entry.retryable && h('button', { class: 'link-button', type: 'button', text: t.retry, onclick: () => this.deliver(entry) });
        const remove = h('button', { class: 'link-button', type: 'button', text: t.remove, onclick: () => this.remove(entry) });
        return h('div', { class: 'meta', title: entry.error || '' }, t.notSent, retry, remove);
      }
      const label = entry.state === 'sent' ? t.sent : entry.state === 'uploading' ? t.uploading : t.sending;
      return h('div', { class: 'meta' }, `${time} · ${label}`);
    }

    /** Server-confirmed messages in id order (ids are time-ordered), then own unsent ones in the order typed. */
    placeInOrder() {
      const sorted = [...this.entries].sort((a, b) => {
        if (a.id && b.id) return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
        if (a.id || b.id) return a.id ? -1 : 1;
        return a.seq - b.seq;
      });
      let previous = this.greetingNode;
      for (const entry of sorted) {
        if (previous.nextSibling !== entry.node) previous.after(entry.node);
        previous = entry.node;
      }
    }

    isNearBottom(slack = 80) {
      return this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < slack;
    }

    scrollToBottom() {
      this.list.scrollTop = this.list.scrollHeight;
    }

    attachmentUrl(attachmentId) {
      if (!this.attachmentUrls.has(attachmentId)) {
        const loading = downloadAttachment(this.cfg, this.session.token, attachmentId);
        loading.catch(() => this.attachmentUrls.delete(attachmentId));
        this.attachmentUrls.set(attachmentId, loading);
      }
      return this.attachmentUrls.get(attachmentId);
    }

    // --- sending

    sendText() {
      const text = this.textarea.value.trim();
      if (!text) return;
      if (text.length > MAX_TEXT_CHARS) return this.showNotice(this.t.textTooLong);
      this.textarea.value = '';
      this.onComposerInput();
      this.stopTyping();
      this.hideNotice();
      this.deliver(this.addOwn([{ type: 'text', text }]));
    }

    /** Sends (or re-sends, with the same client id, so the server stores it once) one own message. */
    deliver(entry) {
      if (entry.file && !entry.uploaded) return this.upload(entry);
      entry.state = 'pending';
      entry.error = null;
      this.render(entry);
      const socket = this.socket;
      if (!socket || !socket.connected) return; // sent when the socket (re)connects
      const attempt = (entry.attempt = (entry.attempt || 0) + 1);
      const payload = { clientMessageId: entry.clientMessageId };
      const text = entry.parts.find((p) => p.type === 'text');
      const attachmentIds = entry.parts.filter((p) => p.attachmentId).map((p) => p.attachmentId);
      if (text) payload.text = text.text;
      if (attachmentIds.length) payload.attachmentIds = attachmentIds;
      socket.timeout(SEND_TIMEOUT_MS).emit('visitor:send', payload, (err, res) => {
        if (attempt !== entry.attempt || entry.id) return;
        if (err) {
          // Lost with the connection: it is sent again on reconnect. Otherwise the server never answered.
          if (socket.connected) this.fail(entry, this.t.sendTimeout);
          return;
        }
        if (!res || !res.ok)
          return this.fail(entry, (res && res.error && res.error.message) || this.t.sendTimeout, !res || res.error.code !== 'VALIDATION');
        this.merge(res.message, 'ack');
      });
    }

    fail(entry, message, retryable = true) {
      entry.state = 'failed';
      entry.error = message;
      entry.retryable = retryable;
      this.render(entry);
      this.showNotice(message);
    }

    /** Drops an own message that was never stored (a refused file, a message the visitor gives up on). */
    remove(entry) {
      this.entries = this.entries.filter((e) => e !== entry);
      this.byClientId.delete(entry.clientMessageId);
      entry.node.remove();
    }

    // --- files

    onFileChosen() {
      const file = this.fileInput.files && this.fileInput.files[0];
      this.fileInput.value = '';
      if (!file) return;
      const problem = this.checkFile(file);
      if (problem) return this.showNotice(problem);
      this.hideNotice();
      const type = file.type.startsWith('image/') ? 'image' : 'file';
      const previewUrl = type === 'image' ? URL.createObjectURL(file) : null;
      const part = { type, attachmentId: null, filename: file.name, contentType: file.type, size: file.size };
      this.upload(this.addOwn([part], { file, previewUrl, state: 'uploading' }));
    }

    checkFile(file) {
      if (file.size > MAX_FILE_BYTES) return this.t.fileTooBig;
      const textByName = !file.type && /\.(txt|log|csv)$/i.test(file.name);
      if (!ACCEPTED_TYPES.includes(file.type) && !textByName) return this.t.fileType;
      if (file.size === 0) return this.t.fileType;
      return null;
    }

    async upload(entry) {
      entry.state = 'uploading';
      entry.error = null;
      this.render(entry);
      try {
        const attachment = await uploadFile(this.cfg, this.session.token, entry.file);
        if (entry.previewUrl) this.attachmentUrls.set(attachment.id, Promise.resolve(entry.previewUrl));
        const type = attachment.contentType.startsWith('image/') ? 'image' : 'file';
        entry.parts = [
          { type, attachmentId: attachment.id, filename: attachment.filename, contentType: attachment.contentType, size: attachment.size },
        ];
        entry.uploaded = true;
        this.deliver(entry);
      } catch (err) {
        const refused = err.code === 'PAYLOAD_TOO_LARGE' || err.code === 'UNSUPPORTED_MEDIA_TYPE';
        const message =
          err.code === 'PAYLOAD_TOO_LARGE'
            ? this.t.fileTooBig
            : err.code === 'UNSUPPORTED_MEDIA_TYPE'
              ? this.t.fileType
              : err.message || this.t.uploadFailed;
        this.fail(entry, message, !refused);
      }
    }

    // --- composer and typing

    onComposerKey(e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.sendText();
      }
    }

    onComposerInput() {
      const area = this.textarea;
      area.style.height = 'auto';
      area.style.height = `${Math.min(area.scrollHeight, 120)}px`;
      const hasText = area.value.trim().length > 0;
      this.sendButton.disabled = !hasText;
      if (!hasText) return this.stopTyping();
      const now = Date.now();
      if (!this.typingOn || now - this.typingSentAt > TYPING_KEEPALIVE_MS) {
        this.emitTyping(true);
        this.typingSentAt = now;
      }
      clearTimeout(this.typingIdle);
      this.typingIdle = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
    }

    stopTyping() {
      clearTimeout(this.typingIdle);
      if (this.typingOn) this.emitTyping(false);
    }

    emitTyping(typing) {
      this.typingOn = typing;
      // volatile: a typing signal is worthless later, so it is dropped rather than queued while offline
      if (this.socket && this.socket.connected) this.socket.volatile.emit('visitor:typing', { typing });
    }

    showRemoteTyping(event) {
      clearTimeout(this.remoteTypingTimer);
      if (!event || !event.typing) return this.hideRemoteTyping();
      const label = event.name ? this.t.typing(event.name) : this.t.someoneTyping;
      this.typingLine.replaceChildren(
        h('span', { class: 'dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')),
        h('span', { text: label }),
      );
      // A lost "stopped typing" must not leave the line up forever.
      this.remoteTypingTimer = setTimeout(() => this.hideRemoteTyping(), REMOTE_TYPING_TIMEOUT_MS);
    }

    hideRemoteTyping() {
      clearTimeout(this.remoteTypingTimer);
      this.typingLine.replaceChildren();
    }

    showNotice(message) {
      const stick = this.isNearBottom();
      this.noticeText.textContent = message;
      this.notice.hidden = false;
      if (stick) this.scrollToBottom();
      clearTimeout(this.noticeTimer);
      this.noticeTimer = setTimeout(() => this.hideNotice(), NOTICE_MS);
    }

    hideNotice() {
      clearTimeout(this.noticeTimer);
      this.notice.hidden = true;
    }
  }

  // ---------------------------------------------------------------- start

  function boot(cfg) {
    if (!cfg.account) {
      console.warn('[omnidesk] the widget needs data-account="<web chat account id>" on its script tag');
      return;
    }
    const widget = new Widget(cfg);
    widget.mount();
    Object.assign(window.OmnideskWidget, { open: () => widget.open(), close: () => widget.close() });
  }

  const existing = window.OmnideskWidget && typeof window.OmnideskWidget === 'object' ? window.OmnideskWidget : null;
  if (existing && existing.loaded) return; // embedded twice: keep the first
  // Read the configuration now: document.currentScript is only set while this script runs.
  const cfg = readConfig();
  window.OmnideskWidget = Object.assign(existing || {}, { loaded: true });
  if (document.body) boot(cfg);
  else document.addEventListener('DOMContentLoaded', () => boot(cfg), { once: true });
})();
