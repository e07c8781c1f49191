// Live queues, one row each and an "all queues" row: who waits and for how long, how the last 30
// minutes went (service level, answered, abandoned, speed of answer), agents by state, and Erlang C
// staffing beside the agents available now.
import type { QueueStats, StatsFigures } from '../../../server/domain/routing/queue-stats.js';
import type { QueueStatsFull } from '../../../server/domain/routing/stats-delta.js';
import { STATE_ORDER } from './labels';
import { useI18n, useStrings, type MessageKey } from '../i18n';
import { clockOf } from './clock';
import { Elapsed } from './Elapsed';
import { BOARD_STRINGS } from './strings';

const DASH = '—';

interface Props {
  stats: QueueStatsFull;
  skewMs: number;
}

export function QueueTable({ stats, skewMs }: Props) {
  const s = useStrings(BOARD_STRINGS);
  return (
    <div className="board-scroll">
      <table className="board-table queue-table">
        <colgroup>
          <col className="col-queue" />
          <col className="col-num" />
          <col className="col-wait" />
          <col className="col-sl" />
          <col className="col-num" />
          <col className="col-num" />
          <col className="col-wait" />
          <col className="col-states" />
          <col className="col-staffing" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">{s('queue')}</th>
            <th scope="col" className="num">
              {s('waiting')}
            </th>
            <th scope="col" className="num">
              {s('longestWait')}
            </th>
            <th scope="col" className="num">
              {s('serviceLevel')}
            </th>
            <th scope="col" className="num">
              {s('answered')}
            </th>
            <th scope="col" className="num">
              {s('abandoned')}
            </th>
            <th scope="col" className="num">
              <abbr title={s('asaLong')}>{s('asa')}</abbr>
            </th>
            <th scope="col">{s('agentsByState')}</th>
            <th scope="col">
              <span title={s('staffingLong')}>{s('staffing')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {stats.queues.map((q) => (
            <FiguresRow key={q.queueId} figures={q} queue={q} skewMs={skewMs} />
          ))}
        </tbody>
        {stats.queues.length > 1 && (
          <tfoot>
            <FiguresRow figures={stats.overall} skewMs={skewMs} />
          </tfoot>
        )}
      </table>
      {stats.queues.length === 0 && <p className="board-empty">{s('noQueues')}</p>}
    </div>
  );
}

function FiguresRow({ figures: f, queue, skewMs }: { figures: StatsFigures; queue?: QueueStats; skewMs: number }) {
  const s = useStrings(BOARD_STRINGS);
  const { t, locale } = useI18n();
  const percent = new Intl.NumberFormat(locale === 'th' ? 'th-TH' : 'en-GB', { style: 'percent', maximumFractionDigits: 0 });
  const days = (d: number, h: number) => s('daysHours', { d: String(d), h: String(h).padStart(2, '0') });
  const slGood = queue && f.serviceLevel !== null ? f.serviceLevel >= queue.serviceLevelTarget : null;
  const { agentsNeeded, agentsAvailable } = f.staffing;
  const short = agentsNeeded - agentsAvailable;
  return (
    <tr data-queue-id={queue?.queueId ?? 'overall'}>
      <th scope="row" className="queue-name">
        <span className="cell-clip" title={queue?.name}>
          {queue ? queue.name : s('overall')}
        </span>
      </th>
      <td data-col="waiting" className={f.waiting > 0 ? 'num strong warn' : 'num'}>
        {f.waiting}
      </td>
      <td data-col="longest-wait" className="num">
        {f.oldestWaitingSince === null ? (
          <span className="muted">{DASH}</span>
        ) : (
          <Elapsed since={f.oldestWaitingSince} skewMs={skewMs} warnAfterMs={queue?.serviceLevelMs} />
        )}
      </td>
      <td data-col="service-level" className="num">
        <span className={`strong ${slGood === null ? '' : slGood ? 'good' : 'bad'}`}>
          {f.serviceLevel === null ? DASH : percent.format(f.serviceLevel)}
        </span>
        <span className="sub">
          {queue
            ? s('serviceLevelTarget', { target: percent.format(queue.serviceLevelTarget), seconds: String(queue.serviceLevelMs / 1000) })
            : ' '}
        </span>
      </td>
      <td data-col="answered" className="num">
        {f.answered}
      </td>
      <td data-col="abandoned" className={f.abandoned > 0 ? 'num bad' : 'num'}>
        {f.abandoned}
      </td>
      <td data-col="asa" className="num">
        {f.averageSpeedOfAnswerMs === null ? <span className="muted">{DASH}</span> : clockOf(f.averageSpeedOfAnswerMs, days)}
      </td>
      <td data-col="agents">
        <span className="state-counts">
          {STATE_ORDER.map((p) => (
            <span key={p} className={`state-count presence-${p}${f.agents[p] === 0 ? ' zero' : ''}`} data-presence={p}>
              <span className="dot" aria-hidden="true" />
              <span className="visually-hidden">{t(`presence_${p}` as MessageKey)}: </span>
              {f.agents[p]}
            </span>
          ))}
        </span>
      </td>
      <td
        data-col="staffing"
        title={s('staffingDetail', {
          arrivals: String(f.staffing.arrivalsPerHour),
          aht: String(f.staffing.ahtSeconds),
          erlangs: String(f.staffing.trafficErlangs),
        })}
      >
        <span className="staff-line" data-needed={agentsNeeded}>
          {s('needed', { n: String(agentsNeeded) })}
        </span>
        <span className={`staff-line sub ${short > 0 ? 'bad' : 'good'}`} data-available={agentsAvailable}>
          {s('availableNow', { n: String(agentsAvailable) })}
          {short > 0 && <span className="visually-hidden"> ({s('staffingShort', { n: String(short) })})</span>}
        </span>
      </td>
    </tr>
  );
}
