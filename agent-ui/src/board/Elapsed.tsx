// A live duration since a server time, ticking once a second in tabular figures (so the column
// never shifts). `warnAfterMs` marks it late, e.g. a wait past the queue's service-level threshold.
import { useStrings } from '../i18n';
import { clockOf, useTick } from './clock';
import { BOARD_STRINGS } from './strings';

export function Elapsed({ since, skewMs, warnAfterMs }: { since: number; skewMs: number; warnAfterMs?: number }) {
  const s = useStrings(BOARD_STRINGS);
  const ms = Math.max(0, useTick() + skewMs - since);
  const late = warnAfterMs !== undefined && ms > warnAfterMs;
  return (
    <span className={late ? 'num late' : 'num'}>
      {clockOf(ms, (d, h) => s('daysHours', { d: String(d), h: String(h).padStart(2, '0') }))}
    </span>
  );
}
