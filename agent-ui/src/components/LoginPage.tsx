import { useState, type FormEvent } from 'react';
import { ApiError, login, type Session } from '../api';
import { useI18n, type Locale, type MessageKey } from '../i18n';
import { LanguageToggle } from './LanguageToggle';

interface Props {
  notice: MessageKey | null;
  onLogin: (session: Session) => void;
  onLocale: (locale: Locale) => void;
}

export function LoginPage({ notice, onLogin, onLocale }: Props) {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(await login(email.trim(), password));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(t('loginFailed'));
      else if (err instanceof ApiError && err.status === 429) setError(t('tooManyAttempts'));
      else setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <div className="login">
      <div className="login-lang">
        <LanguageToggle onChange={onLocale} />
      </div>
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            O
          </span>
          {t('appName')}
        </div>
        <h1 id="login-title">{t('signInTitle')}</h1>
        {notice && !error && (
          <p className={notice === 'sessionExpired' ? 'banner banner-warn' : 'banner'} role="status">
            {t(notice)}
          </p>
        )}
        {error && (
          <p className="banner banner-error" role="alert">
            {error}
          </p>
        )}
        <label className="field">
          <span>{t('email')}</span>
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            autoFocus
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label className="field">
          <span>{t('password')}</span>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? t('signingIn') : t('signIn')}
        </button>
      </form>
    </div>
  );
}
