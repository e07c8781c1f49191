// Warnings that another agent has this conversation open, or is typing in it: two people answering
// one customer is the classic contact-center collision.
import { useStrings } from '../i18n';
import type { Person } from '../hooks/useOpenConversation';
import { CONVERSATION_STRINGS } from './strings';

interface Props {
  meId: string;
  viewers: Person[];
  typing: Person[];
}

export function PresenceNotices({ meId, viewers, typing }: Props) {
  const s = useStrings(CONVERSATION_STRINGS);
  const typers = typing.filter((v) => v.id !== meId);
  const others = viewers.filter((v) => v.id !== meId && !typers.some((t) => t.id === v.id)); // typing says more
  const list = (names: string[]) =>
    names.length <= 1 ? (names[0] ?? '') : s('and', { a: names.slice(0, -1).join(', '), b: names.at(-1)! });
  return (
    <div className="pane-notices" role="status" aria-live="polite">
      {typers.length > 0 && (
        <p className="banner banner-warn presence-notice" data-notice="typing">
          <span aria-hidden="true">✎</span>
          {s('agentTyping', { name: list(typers.map((t) => t.name)) })}
        </p>
      )}
      {others.length > 0 && (
        <p className="banner banner-warn presence-notice" data-notice="viewing">
          <span aria-hidden="true">👁</span>
          {s(others.length === 1 ? 'alsoViewing' : 'alsoViewingMany', { names: list(others.map((v) => v.name)) })}
        </p>
      )}
    </div>
  );
}
