// Small building blocks shared by the security and bad-input tests: a conversation opened by a real
// visitor over socket.io, multipart uploads over real HTTP, and a few file samples.
import zlib from 'node:zlib';
import { connect, type ClientSocket, type TestServer } from './harness.js';

export interface OpenedConversation {
  conversationId: string;
  messageId: string;
  visitor: { sessionId: string; token: string };
  /** The visitor's live socket; the caller closes it. */
  socket: ClientSocket;
}

/** A visitor starts a web chat session and writes one message, which opens a conversation. */
export async function openConversation(server: TestServer, accountId: string, text = 'hello'): Promise<OpenedConversation> {
  const visitor = await server.api.visitorSession(accountId);
  const socket = await connect(server.url, { visitorToken: visitor.token });
  const ack = await socket.emitWithAck('visitor:send', { clientMessageId: `open-${visitor.sessionId}`, text });
  if (!ack.ok) throw new Error(`visitor:send failed: ${ack.error.code} ${ack.error.message}`);
  const message = await server.store.messages.findById(ack.message.id);
  if (!message) throw new Error('the visitor message was not stored');
  return { conversationId: message.conversationId, messageId: message.id, visitor, socket };
}

export interface UploadResponse {
  status: number;
  body: {
    error?: { code: string; message: string };
    attachment?: { id: string; filename: string; contentType: string; size: number };
  };
}

/** Posts one file as multipart/form-data, the way a browser form or the widget does. */
export async function uploadFile(
  url: string,
  opts: { token?: string; bytes: Uint8Array; filename: string; type?: string; field?: string },
): Promise<UploadResponse> {
  const form = new FormData();
  form.append(
    opts.field ?? 'file',
    new Blob([new Uint8Array(opts.bytes)], { type: opts.type ?? 'application/octet-stream' }),
    opts.filename,
  );
  const res = await fetch(url, { method: 'POST', headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {}, body: form });
  const text = await res.text();
  try {
    return { status: res.status, body: text ? (JSON.parse(text) as UploadResponse['body']) : {} };
  } catch {
    // Not JSON: surface the text in the error field so a failing assertion shows it.
    return { status: res.status, body: { error: { code: 'NOT_JSON', message: text } } };
  }
}

/** A real 1x1 PNG. */
export const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** The first bytes of a Linux executable. */
export function elfExecutable(): Buffer {
  const b = Buffer.alloc(64);
  b.write('\x7fELF', 0, 'latin1');
  b[4] = 2; // 64-bit
  b[5] = 1; // little endian
  b[6] = 1; // ELF version
  return b;
}

/** The first bytes of a Windows executable. */
export function windowsExecutable(): Buffer {
  const b = Buffer.alloc(128);
  b.write('MZ', 0, 'latin1');
  return b;
}

export const HTML_PAGE = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');

/** A PNG signature followed by padding: a "PNG" of exactly `size` bytes. */
export function pngOfSize(size: number): Buffer {
  const b = Buffer.alloc(size);
  PNG_1X1.copy(b, 0, 0, Math.min(PNG_1X1.length, size));
  return b;
}

/** A real 8-bit RGB PNG of `width`×`height`, each pixel's colour from `colorAt` (encoded here: no fixture files). */
export function rgbPng(width: number, height: number, colorAt: (x: number, y: number) => [number, number, number]): Buffer {
  const rows = Buffer.alloc((width * 3 + 1) * height); // each row: filter byte 0, then RGB
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows.set(colorAt(x, y), y * (width * 3 + 1) + 1 + x * 3);
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A real PNG with a diagonal gradient from one colour to another. */
export function gradientPng(width: number, height: number, from: [number, number, number], to: [number, number, number]): Buffer {
  return rgbPng(width, height, (x, y) => {
    const mix = (x + y) / (width + height);
    return [0, 1, 2].map((i) => Math.round(from[i]! + (to[i]! - from[i]!) * mix)) as [number, number, number];
  });
}
