// The open conversation: header with its actions, warnings about colleagues in it, tags, the
// virtualized timeline (stored and unsent messages), who is typing, and the composer.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Conversation, Message, User } from '../../../server/domain/types.js';
import type { Api } from '../api';
import { useI18n, useStrings } from '../i18n';
import type { OpenConversation } from '../hooks/useOpenConversation';
import { displayName, type CustomerDirectory } from '../hooks/useCustomers';
import type { AgentSocket } from '../socket';
import * as calls from '../conversation/conversation-api';
import { ConversationHeader, type HeaderAction } from '../conversation/ConversationHeader';
import { PresenceNotices } from '../conversation/PresenceNotices';
import { actionOf, type ConversationAction } from '../conversation/shortcuts';
import { CONVERSATION_STRINGS } from '../conversation/strings';
import { TagEditor } from '../conversation/TagEditor';
import { Timeline, type TimelineControls } from '../conversation/Timeline';
import { timelineRows, type Row } from '../conversation/timeline-items';
import { TransferDialog } from '../conversation/TransferDialog';
import { UnsentBubble } from '../conversation/UnsentBubble';
import { discard, retry, send, useUnsent } from '../conversation/unsent';
import { MessageBubble } from './MessageBubble';
import { CallBackButton } from '../voice/CallBackButton';
import { Composer, type ComposerControls, type OutgoingDraft } from './Composer';
import '../conversation/conversation.css';
import { CsatChip } from '../crm/OutboundMarks';

interface Props {
  api: Api;
  socket: AgentSocket | null;
  me: User;
  open: OpenConversation;
  conversation: Conversation | null;
  customers: CustomerDirectory;
}

export function ConversationPane({ api, socket, me, open, conversation, customers }: Props) {
  const { t } = useI18n();
  if (!conversation) {
    return (
      <main className="pane pane-empty">
        <p>{open.error ?? (open.loading ? t('loading') : t('selectConversation'))}</p>
      </main>
    );
  }
  return <OpenPane key={conversation.id} api={api} socket={socket} me={me} open={open} conversation={conversation} customers={customers} />;
}

function OpenPane({ api, socket, me, open, conversation, customers }: Props & { conversation: Conversation }) {
  const { t, locale } = useI18n();
  const s = useStrings(CONVERSATION_STRINGS);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [transferring, setTransferring] = useState(false);
  const pane = useRef<HTMLElement>(null);
  const timeline = useRef<TimelineControls | null>(null);
  const composer = useRef<ComposerControls>(null);
  const tagInput = useRef<HTMLInputElement>(null);
  const unsent = useUnsent(conversation.id, me.id);
  const id = conversation.id;

  const customerName = displayName(customers.get(conversation.customerId), conversation.customerId, t('visitor'));
  const names = useColleagueNames(open);
  const senderOf = (m: Message) =>
    m.direction === 'inbound'
      ? customerName
      : m.senderType === 'system'
        ? s('fromSystem')
        : m.senderId === me.id
          ? s('fromYou')
          : (m.senderId && names.get(m.senderId)) || s('fromAgent');

  const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
  const act = async (work: () => Promise<{ conversation: Conversation }>): Promise<boolean> => {
    setBusy(true);
    setActionError(null);
    try {
      open.setConversation((await work()).conversation);
      return true;
    } catch (err) {
      setActionError(t('actionFailed', { error: errorText(err) }));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const onAction = (action: HeaderAction) => {
    const c = conversation;
    if (action === 'transfer') return setTransferring(true);
    if (action === 'take') {
      // A conversation waiting in a queue is picked (withdrawing its offer); any other is assigned.
      const waiting = c.queueId !== null && c.enqueuedAt !== null && c.assigneeId === null;
      return void act(() => (waiting ? calls.pick(api, id) : calls.assign(api, id, me.id)));
    }
    const status = action === 'resolve' ? 'resolved' : action === 'snooze' ? 'snoozed' : 'open';
    void act(() => calls.setStatus(api, id, status));
  };

  const sendContext = { api, meId: me.id, onStored: open.addMessages, describe: errorText };
  const lastStoredId = open.messages.at(-1)?.id;
  const onSend = (draft: OutgoingDraft) => {
    timeline.current?.scrollToBottom();
    void send(sendContext, { conversationId: id, ...draft, after: lastStoredId });
  };

  // Shortcuts work wherever the focus is, while this pane is on screen and no dialog is open.
  const run = (action: ConversationAction) => {
    const c = conversation;
    if (action === 'toggleNote') composer.current?.toggleMode();
    else if (action === 'focus') composer.current?.focus();
    else if (action === 'attach') composer.current?.attach();
    else if (action === 'latest') timeline.current?.scrollToBottom();
    else if (action === 'tags') tagInput.current?.focus();
    else if (busy) return;
    else if (action === 'resolve') onAction(c.status === 'resolved' ? 'reopen' : 'resolve');
    else if (action === 'snooze' && c.status !== 'resolved') onAction(c.status === 'snoozed' ? 'reopen' : 'snooze');
    else if (action === 'transfer') onAction('transfer');
    else if (action === 'take' && c.assigneeId !== me.id) onAction('take');
  };
  const latestRun = useRef(run);
  latestRun.current = run;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = actionOf(e);
      if (!action || !pane.current || pane.current.getClientRects().length === 0) return;
      if (document.querySelector('dialog[open]')) return;
      e.preventDefault();
      latestRun.current(action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const rows = useMemo(() => timelineRows(open.messages, unsent, me.id), [open.messages, unsent, me.id]);
  const dayFormat = useMemo(
    () => new Intl.DateTimeFormat(locale === 'th' ? 'th-TH' : 'en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }),
    [locale],
  );
  const dayLabel = (day: number) => {
    const today = new Date().setHours(0, 0, 0, 0);
    if (day === today) return s('today');
    if (day === new Date(today - 1).setHours(0, 0, 0, 0)) return s('yesterday');
    return dayFormat.format(day);
  };

  const renderRow = (row: Row, index: number) => (
    <>
      {row.day !== null && (
        <div className="day-heading" role="separator">
          <span>{dayLabel(row.day)}</span>
        </div>
      )}
      {row.kind === 'message' ? (
        <MessageBubble
          api={api}
          message={row.message}
          channel={conversation.channelKind}
          senderName={senderOf(row.message)}
          position={{ index, count: rows.length }}
          onSendAgain={sendAgainFor(row.message)}
        />
      ) : (
        <UnsentBubble
          api={api}
          message={row.unsent}
          onRetry={() => void retry(sendContext, row.unsent.clientId)}
          onEdit={() => {
            discard(row.unsent.clientId);
            composer.current?.restore(row.unsent);
          }}
          onDiscard={() => discard(row.unsent.clientId)}
        />
      )}
    </>
  );

  // A reply the channel could not deliver: its text can go again as a new message (its files are
  // already used by the failed one, so only a text reply is offered this).
  const sendAgainFor = (m: Message) => {
    const text = m.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
    if (m.status !== 'failed' || m.private || m.direction !== 'outbound' || !text) return undefined;
    return () => onSend({ mode: 'reply', text, attachments: [] });
  };

  // One line of status under the timeline, always there so nothing moves when it changes.
  const statusLine = open.loadingMore ? s('loadingOlder') : open.customerTyping ? s('customerTypingNamed', { name: customerName }) : '';
  return (
    <main className="pane conversation-pane" aria-label={customerName} ref={pane}>
      <ConversationHeader
        conversation={conversation}
        name={customerName}
        me={me}
        busy={busy}
        onAction={onAction}
        onPriority={(priority) => void act(() => calls.setPriority(api, id, priority))}
        extra={conversation.channelKind === 'voice' ? <CallBackButton api={api} conversationId={id} disabled={busy} /> : null}
        badges={<CsatChip messages={open.messages} />}
      />
      <TagEditor tags={conversation.tags} inputRef={tagInput} onChange={(tags) => act(() => calls.setTags(api, id, tags))} />
      <PresenceNotices meId={me.id} viewers={open.viewers} typing={open.agentsTyping} />
      {actionError && (
        <p className="banner banner-error pane-note" role="alert">
          {actionError}
        </p>
      )}
      <Timeline
        items={rows}
        render={renderRow}
        label={s('messages')}
        busy={open.loadingMore}
        jumpLabel={s('jumpToLatestLabel')}
        newLabel={s('jumpToLatest')}
        controls={timeline}
      />
      <NewMessageAnnouncer messages={open.messages} name={customerName} />
      <p className="typing-line" aria-live="polite">
        {statusLine}
      </p>
      <Composer
        api={api}
        socket={socket}
        conversationId={id}
        customerLocale={open.customer?.locale ?? null}
        onSend={onSend}
        controls={composer}
      />
      {transferring && (
        <TransferDialog
          api={api}
          conversation={conversation}
          customerName={customerName}
          me={me}
          onTransferred={open.setConversation}
          onClose={() => setTransferring(false)}
        />
      )}
    </main>
  );
}

/** Names of colleagues seen in this conversation (viewing or typing), for their messages. */
function useColleagueNames(open: OpenConversation): ReadonlyMap<string, string> {
  const [names] = useState(() => new Map<string, string>());
  for (const p of [...open.viewers, ...open.agentsTyping]) if (p.name) names.set(p.id, p.name);
  return names;
}

/** Reads a customer's new message out to screen readers (the feed itself is not a live region). */
function NewMessageAnnouncer({ messages, name }: { messages: Message[]; name: string }) {
  const s = useStrings(CONVERSATION_STRINGS);
  const last = messages.at(-1);
  const seen = useRef(last?.id);
  const [said, setSaid] = useState('');
  useEffect(() => {
    if (!last || last.id === seen.current) return;
    seen.current = last.id;
    if (last.direction === 'inbound') setSaid(s('newMessageFrom', { name, text: last.text.slice(0, 200) }));
  }, [last, name, s]);
  return (
    <p className="visually-hidden" aria-live="polite">
      {said}
    </p>
  );
}
