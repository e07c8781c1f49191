import type { NextFunction, Response } from 'express';
import type { Attachment } from '../../domain/types.js';
import type { FileStorage } from '../../storage/file-storage.js';

/** Streams an attachment. Only images display inline; everything else downloads, and nothing is sniffed. */
export function sendAttachment(res: Response, files: FileStorage, a: Attachment, next: NextFunction): void {
  const inline = a.contentType.startsWith('image/');
  res.setHeader('Content-Type', a.contentType);
  res.setHeader('Content-Length', String(a.size));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Cache-Control', 'private, max-age=3600');
  res.setHeader('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(a.filename)}`);
  const stream = files.open(a.storageKey);
  stream.on('error', next);
  stream.pipe(res);
}
