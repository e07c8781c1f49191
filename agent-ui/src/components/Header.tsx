import type { User } from '../../../server/domain/types.js';
import { useI18n, type Locale } from '../i18n';
import type { AgentSocket, ConnectionState } from '../socket';
import type { Api } from '../api';
import { PresenceSwitch } from './PresenceSwitch';
import { Avatar } from './Avatar';
import { LanguageToggle } from './LanguageToggle';

interface Props {
  api: Api;
  socket: AgentSocket | null;
  user: User;
  connection: ConnectionState;
  onLogout: () => void;
  onLocale: (locale: Locale) => void;
}

export function Header({ api, socket, user, connection, onLogout, onLocale }: Props) {
  const { t } = useI18n();
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          O
        </span>
        {t('appName')}
      </div>
      <div className={`connection connection-${connection}`} role="status" data-state={connection}>
        <span className="dot" aria-hidden="true" />
        {t(connection)}
      </div>
      <div className="topbar-end">
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
