import { LOCALES, useI18n, type Locale } from '../i18n';

const LABELS: Record<Locale, string> = { en: 'EN', th: 'ไทย' };

export function LanguageToggle({ onChange }: { onChange: (locale: Locale) => void }) {
  const { locale, t } = useI18n();
  return (
    <div className="segmented" role="group" aria-label={t('language')}>
      {LOCALES.map((l) => (
        <button key={l} type="button" lang={l} aria-pressed={l === locale} onClick={() => l !== locale && onChange(l)}>
          {LABELS[l]}
        </button>
      ))}
    </div>
  );
}
