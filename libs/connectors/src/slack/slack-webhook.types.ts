import type { HostResolver } from '../http/address-policy.util';

/** A Slack (or Slack-compatible: Mattermost, Discord's /slack endpoint) incoming webhook. */
export interface SlackWebhookConfig {
  /** Connector name in workflow definitions. Default `slack`. */
  readonly name?: string;
  /** The organisations whose workspace this webhook posts to; calls for any other are refused. All when unset. */
  readonly orgIds?: readonly string[];
  /** The webhook URL. Its path is the credential, so it is never put in an error message. */
  readonly webhookUrl: string;
  readonly timeouts?: { readonly connectMs?: number; readonly totalMs?: number };
  /** Private ranges the webhook may live in (self-hosted Mattermost): CIDRs, addresses or host names. */
  readonly allowList?: readonly string[];
}

/** Collaborators a test may replace. */
export interface SlackWebhookDeps {
  readonly now?: () => Date;
  readonly resolve?: HostResolver;
}

/** What `post` returns when the webhook accepted the message. */
export interface SlackPostResult {
  readonly ok: true;
  /** The response body, `ok` from Slack itself. */
  readonly response: string;
}
