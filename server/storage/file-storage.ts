// Attachment bytes on local disk, addressed by content hash; written atomically (temp file + rename).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

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

  /**
   * Streams bytes to disk while hashing them (a large mail or attachment is never held in memory whole).
   * Over `maxBytes` it stops, removes what it wrote and rejects with FileTooLargeError.
   */
  async putStream(source: Readable | NodeJS.ReadableStream, maxBytes = Infinity): Promise<StoredFile> {
    await fs.mkdir(this.root, { recursive: true });
    const temp = path.join(this.root, `incoming.${randomBytes(8).toString('hex')}.tmp`);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) return done(new FileTooLargeError(maxBytes));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(temp, { flags: 'wx' }));
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
    const sha256 = hash.digest('hex');
    const storageKey = path.posix.join(sha256.slice(0, 2), sha256.slice(2, 4), sha256);
    const target = this.pathOf(storageKey);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.rename(temp, target);
    return { storageKey, sha256, size };
  }

  open(storageKey: string): ReadStream {
    return createReadStream(this.pathOf(storageKey));
  }

  private pathOf(storageKey: string): string {
    if (!/^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(storageKey)) throw new Error('bad storage key');
    return path.join(this.root, storageKey);
  }
}

export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`larger than ${maxBytes} bytes`);
    this.name = 'FileTooLargeError';
  }
}
