// Uploads are typed by their bytes, not by what the browser claims.
import { isUtf8 } from 'node:buffer';
import { fileTypeFromBuffer } from 'file-type';
import { AppError } from '../domain/errors.js';

const ALLOWED = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf']);
const TEXT_EXTENSIONS = /\.(txt|csv|log)$/i;

export async function checkUpload(
  bytes: Buffer,
  filename: string,
  declaredType: string,
): Promise<{ contentType: string; filename: string }> {
  if (bytes.length === 0) throw new AppError('VALIDATION', 'the file is empty');
  const safeName = filename.replace(/[\\/\0\r\n"]/g, '_').slice(0, 200) || 'file';
  const detected = await fileTypeFromBuffer(bytes);
  if (detected) {
    if (!ALLOWED.has(detected.mime)) {
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        `files of type ${detected.mime} are not accepted; send an image (PNG, JPEG, GIF, WebP), a PDF or a text file`,
      );
    }
    return { contentType: detected.mime, filename: safeName };
  }
  // No magic number: accept only genuine UTF-8 text with a text extension.
  const looksText = TEXT_EXTENSIONS.test(safeName) && !bytes.includes(0) && isUtf8(bytes);
  if (looksText) return { contentType: declaredType === 'text/csv' ? 'text/csv' : 'text/plain', filename: safeName };
  throw new AppError(
    'UNSUPPORTED_MEDIA_TYPE',
    'this file type is not accepted; send an image (PNG, JPEG, GIF, WebP), a PDF or a text file',
  );
}
