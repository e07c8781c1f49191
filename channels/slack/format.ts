// Text both ways between Slack's mrkdwn and the desk. Slack escapes &, < and > and wraps links and
// mentions in <...>; what agents write there is turned into the plain text the customer gets, and what
// customers write is escaped so it shows as written (a customer cannot ping @channel or fake a link).

/** Customer or desk text made safe to post: Slack's three control characters escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An agent's Slack message as plain text: links, channels and mentions unwrapped, entities decoded. */
export function mrkdwnToPlain(text: string): string {
  return text
    .replace(/<([^<>|]+)(?:\|([^<>]*))?>/g, (_all, target: string, label: string | undefined) => {
      if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
      if (target.startsWith('@')) return `@${label ?? target.slice(1)}`;
      if (target.startsWith('!')) return `@${label ?? target.slice(1).split('^')[0]}`;
      const url = target.startsWith('mailto:') ? target.slice('mailto:'.length) : target;
      return label && label !== url && label !== target ? `${label} (${url})` : url;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

/** A Slack link: <url|label>, the label escaped. */
export const slackLink = (url: string, label: string) => `<${url}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
