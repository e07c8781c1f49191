// Slack for agents: what a reply written in Slack carries on its message, so the desk knows where it
// came from (it is not posted back to the thread it came from, and a failure to deliver it is told there).
export interface SlackMeta {
  /** The Slack channel account whose thread the agent wrote in. */
  accountId: string;
  channel: string;
  /** The Slack message's own ts, and the thread it is in. */
  ts: string;
  threadTs: string;
  /** The Slack user who wrote it (matched to the desk user by email). */
  slackUserId: string;
}
