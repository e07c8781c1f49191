import type { User } from '../../../server/domain/types.js';
import { useI18n, type Locale } from '../i18n';
import type { AgentSocket, ConnectionState } from '../socket';
import type { Api } from '../api';
import { PresenceSwitch } from './PresenceSwitch';
import { Softphone } from '../voice/Softphone';
import { Avatar } from './Avatar';
import { LanguageToggle } from './LanguageToggle';

/** The console's screens: the inbox for everyone, the live board for supervisors, admin screens for admins. */
export type View = 'inbox' | 'board' | 'reports' | 'customers' | 'admin';

export function viewsFor(user: User): View[] {
  // Supervisors see the admin screens read-only, except canned responses, which they write.
  return user.role === 'agent' ? ['inbox'] : ['inbox', 'board', 'reports', 'customers', 'admin'];
}

interface Props {
  view: View;
  onView: (view: View) => void;
  api: Api;
  socket: AgentSocket | null;
  user: User;
  connection: ConnectionState;
  onLogout: () => void;
  onLocale: (locale: Locale) => void;
}

export function Header({ view, onView, api, socket, user, connection, onLogout, onLocale }: Props) {
  const { t } = useI18n();
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          O
        </span>
        {t('appName')}
      </div>
      {viewsFor(user).length > 1 && (
        <nav className="segmented views" aria-label={t('views')}>
          {viewsFor(user).map((v) => (
            <button key={v} type="button" aria-pressed={view === v} onClick={() => onView(v)}>
              {t(`view_${v}`)}
            </button>
          ))}
        </nav>
      )}
      <div className={`connection connection-${connection}`} role="status" data-state={connection}>
        <span className="dot" aria-hidden="true" />
        {t(connection)}
      </div>
      <div className="topbar-end">
        <Softphone api={api} />
        <PresenceSwitch api={api} socket={socket} userId={user.id} />
        <LanguageToggle onChange={onLocale} />
        <div className="me" title={user.email}>
          <Avatar name={user.name} size="small" />
          <span className="me-name">{user.name}</span>
        </div>
        <button type="button" className="btn btn-quiet" onClick={onLogout}>
          {t('logout')}
        </button>
      </div>
    </header>
  );
}
