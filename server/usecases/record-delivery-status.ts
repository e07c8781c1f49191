// A provider's report on a message we sent (delivered, failed…), found by the provider's id for it.
// Reports only move a message forward (domain/delivery.ts), so a late or repeated one changes
// nothing; a report about a message we do not know is ignored.
import { advancesDelivery } from '../domain/delivery.js';
import type { Message, MessageStatus } from '../domain/types.js';
import type { Deps } from './deps.js';

export interface DeliveryReport {
  channelAccountId: string;
  providerMessageId: string;
  status: MessageStatus;
  errorCode: string | null;
  errorMessage: string | null;
}

export function makeRecordDeliveryStatus(deps: Deps) {
  /** The message as updated, or undefined when the report is unknown or changes nothing. */
  return async function recordDeliveryStatus(report: DeliveryReport): Promise<Message | undefined> {
    const result = await deps.store.transaction(async (tx) => {
      const message = await tx.messages.findByProviderId(report.channelAccountId, report.providerMessageId);
      if (!message || message.direction !== 'outbound' || !advancesDelivery(message.status, report.status)) return undefined;
      const failed = report.status === 'failed';
      const updated = await tx.messages.updateDelivery(
        message.id,
        { status: report.status, errorCode: failed ? report.errorCode : null, errorMessage: failed ? report.errorMessage : null },
        deps.now(),
      );
      const conversation = await tx.conversations.findById(message.conversationId);
      return updated && conversation ? { message: updated, conversation } : undefined;
    });
    if (!result) return undefined;
    deps.events.publish({ type: 'message.status', message: result.message, conversation: result.conversation });
    return result.message;
  };
}

export type RecordDeliveryStatus = ReturnType<typeof makeRecordDeliveryStatus>;
