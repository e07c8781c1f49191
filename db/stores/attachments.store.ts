import type { Knex } from 'knex';
import type { Attachment } from '../../server/domain/types.js';
import { newId } from '../ids.js';

interface AttachmentRow {
  id: string;
  message_id: string | null;
  channel_account_id: string;
  uploader_type: Attachment['uploaderType'];
  uploader_id: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  storage_key: string;
  created_at: number;
}

const toAttachment = (r: AttachmentRow): Attachment => ({
  id: r.id,
  messageId: r.message_id,
  channelAccountId: r.channel_account_id,
  uploaderType: r.uploader_type,
  uploaderId: r.uploader_id,
  filename: r.filename,
  contentType: r.content_type,
  size: r.size,
  sha256: r.sha256,
  storageKey: r.storage_key,
  createdAt: r.created_at,
});

export class AttachmentsStore {
  constructor(private readonly db: Knex) {}

  async create(a: Omit<Attachment, 'id' | 'messageId' | 'createdAt'>, now: number): Promise<Attachment> {
    const row: AttachmentRow = {
      id: newId(),
      message_id: null,
      channel_account_id: a.channelAccountId,
      uploader_type: a.uploaderType,
      uploader_id: a.uploaderId,
      filename: a.filename,
      content_type: a.contentType,
      size: a.size,
      sha256: a.sha256,
      storage_key: a.storageKey,
      created_at: now,
    };
    await this.db('attachments').insert(row);
    return toAttachment(row);
  }

  async findById(id: string): Promise<Attachment | undefined> {
    const r = await this.db<AttachmentRow>('attachments').where({ id }).first();
    return r && toAttachment(r);
  }

  async findManyByIds(ids: string[]): Promise<Attachment[]> {
    if (ids.length === 0) return [];
    return (await this.db<AttachmentRow>('attachments').whereIn('id', ids)).map(toAttachment);
  }

  async linkToMessage(ids: string[], messageId: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db('attachments').whereIn('id', ids).whereNull('message_id').update({ message_id: messageId });
  }
}
