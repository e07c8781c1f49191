// The session: the login page until there is a token, the console after. Also owns the UI language,
// which follows the user's stored preference once logged in.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Api, logout, type Session } from './api';
import { I18nContext, initialLocale, isLocale, makeI18n, type Locale, type MessageKey } from './i18n';
import { clearDrafts, loadSession, saveSession } from './session';
import { LoginPage } from './components/LoginPage';
import { Console } from './components/Console';

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [notice, setNotice] = useState<MessageKey | null>(null);
  const [locale, setLocaleState] = useState<Locale>(() => (isLocale(session?.user.locale) ? session.user.locale : initialLocale()));
  const i18n = useMemo(() => makeI18n(locale), [locale]);

  useEffect(() => {
    document.documentElement.lang = locale;
    sessionStorage.setItem('omnidesk.locale', locale);
  }, [locale]);

  const endSession = useCallback((reason: MessageKey) => {
    saveSession(null);
    setSession(null);
    setNotice(reason);
  }, []);
  const expire = useCallback(() => endSession('sessionExpired'), [endSession]);

  const token = session?.token;
  const api = useMemo(() => (token ? new Api(token, expire) : null), [token, expire]);

  const onLogin = (s: Session) => {
    saveSession(s);
    setSession(s);
    setNotice(null);
    if (isLocale(s.user.locale)) setLocaleState(s.user.locale);
  };

  // Sign out here first (the console and its socket go away), then revoke the token: the server's
  // "session expired" to the old socket must not be mistaken for an expiry.
  const onLogout = () => {
    if (!token) return;
    clearDrafts();
    endSession('loggedOut');
    logout(token).catch(() => undefined); // the token still expires on its own
  };

  const changeLocale = (next: Locale) => {
    setLocaleState(next);
    if (!api || !session) return;
    api.setLocale(next).then(
      ({ user }) => {
        const updated = { ...session, user };
        saveSession(updated);
        setSession(updated);
      },
      () => undefined, // the choice still applies in this tab
    );
  };

  return (
    <I18nContext.Provider value={i18n}>
      {session && api ? (
        <Console session={session} api={api} onExpired={expire} onLogout={onLogout} onLocale={changeLocale} />
      ) : (
        <LoginPage notice={notice} onLogin={onLogin} onLocale={changeLocale} />
      )}
    </I18nContext.Provider>
  );
}
