// The colours of the agent states, named once above the tables that use them.
import { STATE_ORDER } from './labels';
import { useI18n, type MessageKey } from '../i18n';

export function PresenceLegend() {
  const { t } = useI18n();
  return (
    <ul className="presence-legend" aria-hidden="true">
      {STATE_ORDER.map((p) => (
        <li key={p} className={`presence-${p}`}>
          <span className="dot" />
          {t(`presence_${p}` as MessageKey)}
        </li>
      ))}
    </ul>
  );
}
