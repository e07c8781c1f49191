// An email's inline images (<img src="cid:…">) are attachments of the same message. The frame that shows
// the mail cannot fetch them (they need the bearer header, and the frame loads nothing but data: images),
// so they are read here and written into the HTML as data: URLs.
import { useEffect, useState } from 'react';
import type { MessagePart } from '../../../server/domain/types.js';
import type { Api } from '../api';

const asDataUrl = (blob: Blob) =>
  new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function useInlineImages(api: Api, parts: MessagePart[]): string | null {
  const html = parts.find((p) => p.type === 'html')?.html ?? null;
  const [resolved, setResolved] = useState<string | null>(null);
  useEffect(() => {
    setResolved(null);
    if (!html || !html.includes('cid:')) return;
    const inline = parts.flatMap((p) => (p.type === 'image' && p.contentId ? [{ cid: p.contentId, id: p.attachmentId }] : []));
    if (inline.length === 0) return;
    let cancelled = false;
    void Promise.all(inline.map(async ({ cid, id }) => ({ cid, url: await asDataUrl(await api.attachment(id)).catch(() => null) }))).then(
      (found) => {
        if (cancelled) return;
        let out = html;
        for (const { cid, url } of found) if (url) out = out.replace(new RegExp(`cid:${escapeRegExp(cid)}(?=["'\\s>])`, 'g'), url);
        setResolved(out);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, html, parts]);
  return resolved ?? html;
}
