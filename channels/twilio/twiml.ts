// TwiML answers built with the SDK's own builder.
import twilio from 'twilio';

/** An empty messaging answer: "received, nothing to say" (replies go through the REST API and the outbox). */
export const EMPTY_MESSAGING_TWIML = new twilio.twiml.MessagingResponse().toString();
