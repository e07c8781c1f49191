// What the console shows of campaigns and satisfaction surveys: a mark on a campaign's message and on
// a survey (with its score once answered, live through message:status), and the customer's average.
import { useEffect, useMemo, useState } from 'react';
import type { MessageMeta } from '../../../server/domain/email.js';
import type { Api } from '../api';
import { useStrings } from '../i18n';
import { OUTBOUND_STRINGS } from './outbound-strings';
import { outboundApi, type CsatSummary } from './outbound-api';
import './outbound.css';

const stars = (score: number) => '★'.repeat(Math.round(score)) + '☆'.repeat(5 - Math.round(score));

export function OutboundMarks({ meta }: { meta?: MessageMeta | null }) {
  const s = useStrings(OUTBOUND_STRINGS);
  if (meta?.campaign) {
    return <div className="message-mark message-mark-campaign">{s('campaignMessage', { name: meta.campaign.name })}</div>;
  }
  if (meta?.csat) {
    const score = meta.csat.score;
    return (
      <div className="message-mark message-mark-csat" data-score={score ?? undefined}>
        {score === null ? (
          s('surveyAsked')
        ) : (
          <>
            <span className="csat-stars" aria-hidden="true">
              {stars(score)}
            </span>
            {s('surveyAnswered', { score: String(score) })}
          </>
        )}
      </div>
    );
  }
  return null;
}

/** The customer's satisfaction: average score and how many answers, read again when `version` changes. */
export function CustomerCsat({ api, customerId, version }: { api: Api; customerId: string; version: unknown }) {
  const s = useStrings(OUTBOUND_STRINGS);
  const outbound = useMemo(() => outboundApi(api), [api]);
  const [summary, setSummary] = useState<CsatSummary | null>(null);
  useEffect(() => {
    let live = true;
    outbound.customerCsat(customerId).then(
      (r) => live && setSummary(r.csat),
      () => live && setSummary(null),
    );
    return () => {
      live = false;
    };
  }, [outbound, customerId, version]);
  if (!summary) return null;
  const avg = summary.average;
  return (
    <section className="panel-section" aria-labelledby="customer-csat">
      <h3 id="customer-csat">{s('satisfaction')}</h3>
      <p className="customer-csat" data-csat-average={avg ?? ''} data-csat-count={summary.count}>
        {avg === null ? (
          <span className="muted">{s('satisfactionNone')}</span>
        ) : (
          <>
            <span className="csat-stars" aria-hidden="true">
              {stars(avg)}
            </span>
            <span>
              {s(summary.count === 1 ? 'satisfactionOne' : 'satisfactionValue', { avg: avg.toFixed(1), n: String(summary.count) })}
            </span>
          </>
        )}
      </p>
    </section>
  );
}

/** The conversation's satisfaction score beside its status, from its survey message (live as it is answered). */
export function CsatChip({ messages }: { messages: { meta?: MessageMeta | null }[] }) {
  const s = useStrings(OUTBOUND_STRINGS);
  const survey = messages.findLast((m) => m.meta?.csat)?.meta?.csat;
  if (!survey) return null;
  return (
    <span className={`chip csat-chip${survey.score === null ? '' : ' chip-status-resolved'}`} data-csat-score={survey.score ?? ''}>
      {survey.score === null ? s('csatChipAsked') : s('csatChip', { score: String(survey.score) })}
    </span>
  );
}
