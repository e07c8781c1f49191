// Attachment bytes on local disk, addressed by content hash; written atomically (temp file + rename).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createReadStream, type ReadStream } from 'node:fs';
import path from 'node:path';

export interface StoredFile {
  storageKey: string;
  sha256: string;
  size: number;
}

export class FileStorage {
  constructor(private readonly root: string) {}

  async put(bytes: Buffer): Promise<StoredFile> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const storageKey = path.posix.join(sha256.slice(0, 2), sha256.slice(2, 4), sha256);
    const target = this.pathOf(storageKey);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(temp, bytes, { flag: 'wx' });
    await fs.rename(temp, target);
    return { storageKey, sha256, size: bytes.length };
  }

  open(storageKey: string): ReadStream {
    return createReadStream(this.pathOf(storageKey));
  }

  private pathOf(storageKey: string): string {
    if (!/^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(storageKey)) throw new Error('bad storage key');
    return path.join(this.root, storageKey);
  }
}
