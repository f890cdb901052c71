import type { HostResolver } from '../http/address-policy.util';

/** An SMTP submission server (a relay such as Postfix, SES SMTP, Mailgun SMTP). */
export interface SmtpConnectorConfig {
  /** Connector name in workflow definitions. Default `email`. */
  readonly name?: string;
  /** The organisations this mail account sends for; calls for any other are refused. All when unset. */
  readonly orgIds?: readonly string[];
  readonly host: string;
  /** Default 465 with `secure`, else 587. */
  readonly port?: number;
  /** TLS from the first byte (port 465). Otherwise STARTTLS is used when the server offers it. */
  readonly secure?: boolean;
  /** Refuse to send when STARTTLS is not available, instead of falling back to plain text. */
  readonly requireTls?: boolean;
  readonly auth?: { readonly user: string; readonly pass: string };
  /** Sender used when a call names none. */
  readonly from: string;
  /** Right-hand side of generated Message-IDs. Default: the domain of `from`. */
  readonly messageIdDomain?: string;
  readonly timeouts?: { readonly connectMs?: number; readonly totalMs?: number };
  /**
   * Private ranges the relay may live in (the defaults deny them, as for HTTP targets): CIDRs,
   * addresses or exact host names. A relay on the local network must be listed here.
   */
  readonly allowList?: readonly string[];
}

/** Collaborators a test may replace. */
export interface SmtpConnectorDeps {
  readonly resolve?: HostResolver;
}

/** What the relay said about one `send`. */
export interface SmtpSendResult {
  readonly messageId: string;
  /** Recipients the relay took responsibility for. */
  readonly accepted: readonly string[];
  /** Recipients it refused while accepting others; a fully refused send fails instead. */
  readonly rejected: readonly string[];
  /** The relay's final reply, e.g. `250 2.0.0 Ok: queued as 4F3A`. */
  readonly response: string;
}
