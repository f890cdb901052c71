import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { createTransport } from 'nodemailer';
import { AddressPolicy, type HostResolver, type ResolvedAddress, resolveAll } from '../http/address-policy.util';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_TOTAL_TIMEOUT_MS } from '../http/guarded-http.client';
import { HttpErrorCode } from '../http/http-failure.util';
import { ConnectorArgs } from '../port/connector-args.util';
import { ConnectorError, ConnectorErrorCode } from '../port/connector.exception';
import type { Connector, ConnectorCallContext, FailureClass, OperationSpec } from '../port/connector.types';
import { assertConfiguredFor } from '../port/connector-tenancy.util';
import type { SmtpConnectorConfig, SmtpConnectorDeps, SmtpSendResult } from './smtp-connector.types';

const SEND: OperationSpec = {
  name: 'send',
  kind: 'write',
  description:
    'Hands a plain-text email to the SMTP relay. SMTP has no read-back: the result (recipients the relay ' +
    'accepted) is the only evidence, and delivery to the mailbox cannot be observed. The relay does not ' +
    'deduplicate; the idempotency key travels in the Message-ID and X-Idempotency-Key headers so a ' +
    'receiving system can.',
  args: { to: 'required', subject: 'required', body: 'required', from: 'optional' },
  honoursIdempotencyKey: false,
};

const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** What nodemailer attaches to its errors. */
interface SmtpFailure extends Error {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/**
 * Sends email through an SMTP relay with nodemailer, one connection per call (no pool, so nothing
 * is left open between runs and no connection outlives its timeout).
 *
 * The relay host is resolved and checked against the same AddressPolicy as HTTP targets, and
 * nodemailer is given the checked address (with the configured name for TLS SNI and certificate
 * checks), so it never resolves the name itself.
 *
 * Failures: an SMTP 4xx reply is transient (greylisting, 421 try later, 452 storage), a 5xx reply
 * is data (550 mailbox unavailable, 553 bad address, 535 bad credentials), timeouts are transient,
 * and refused, reset or TLS-failed connections are infrastructure.
 */
export class SmtpConnector implements Connector {
  readonly name: string;
  readonly operations: readonly OperationSpec[] = [SEND];
  private readonly policy: AddressPolicy;
  private readonly resolve: HostResolver;
  private readonly connectTimeoutMs: number;
  private readonly totalTimeoutMs: number;
  private readonly port: number;
  private readonly messageIdDomain: string;

  /** Throws a plain Error on an invalid configuration, so a bad one stops start-up. */
  constructor(
    private readonly config: SmtpConnectorConfig,
    deps: SmtpConnectorDeps = {},
  ) {
    this.name = config.name ?? 'email';
    const problem = (text: string) => new Error(`smtp connector "${this.name}": ${text}`);
    if (!config.host) throw problem('host is required');
    if (!EMAIL.test(config.from ?? '')) throw problem(`from must be an email address, got "${config.from}"`);
    this.port = config.port ?? (config.secure ? 465 : 587);
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) throw problem(`port ${config.port} is not a TCP port`);
    this.messageIdDomain = config.messageIdDomain ?? config.from.split('@')[1]!;
    this.connectTimeoutMs = config.timeouts?.connectMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.totalTimeoutMs = config.timeouts?.totalMs ?? DEFAULT_TOTAL_TIMEOUT_MS;
    if (!(this.connectTimeoutMs > 0) || !(this.totalTimeoutMs > 0)) throw problem('timeouts must be positive');
    this.policy = new AddressPolicy(config.allowList);
    this.resolve = deps.resolve ?? resolveAll;
  }

  async call(operation: string, args: Record<string, unknown>, ctx: ConnectorCallContext = {}): Promise<SmtpSendResult> {
    if (operation !== SEND.name) {
      throw new ConnectorError(
        this.name,
        operation,
        'data',
        ConnectorErrorCode.UnknownOperation,
        `${this.name}.${operation}: unknown operation (known: ${SEND.name})`,
      );
    }
    assertConfiguredFor(this.name, operation, this.config.orgIds, ctx);
    const message = this.readMessage(args, ctx);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.totalTimeoutMs);
    try {
      const target = await this.vet(deadline.signal);
      return await this.send(target, message, ctx, deadline.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  private readMessage(args: unknown, ctx: ConnectorCallContext): { to: string[]; subject: string; body: string; from: string } {
    const check = new ConnectorArgs(this.name, SEND.name, {});
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw check.invalid('args', 'must be an object');
    const reader = new ConnectorArgs(this.name, SEND.name, args as Record<string, unknown>);
    const unknown = Object.keys(args).filter((key) => !(key in SEND.args!));
    if (unknown.length > 0) {
      throw reader.invalid(unknown.join(', '), `${unknown.length > 1 ? 'are not arguments' : 'is not an argument'} of send`);
    }
    if (ctx.idempotencyKey !== undefined && (typeof ctx.idempotencyKey !== 'string' || !IDEMPOTENCY_KEY.test(ctx.idempotencyKey))) {
      throw reader.invalid('idempotencyKey', 'must be 1 to 255 visible ASCII characters');
    }
    const rawTo = reader.has('to') ? reader.raw.to : undefined;
    const to = Array.isArray(rawTo) ? rawTo : [reader.string('to')];
    if (to.length === 0 || !to.every((address) => typeof address === 'string' && EMAIL.test(address))) {
      throw reader.invalid('to', 'must be an email address or a non-empty list of them');
    }
    const subject = reader.string('subject');
    // A line break in a header value could start a header of its own.
    if (/[\r\n]/.test(subject)) throw reader.invalid('subject', 'must be one line');
    const from = reader.optionalString('from') ?? this.config.from;
    if (!EMAIL.test(from)) throw reader.invalid('from', `must be an email address, got "${from}"`);
    return { to: to as string[], subject, body: reader.string('body'), from };
  }

  private async vet(deadline: AbortSignal): Promise<ResolvedAddress> {
    let onAbort: () => void = () => undefined;
    // getaddrinfo cannot be cancelled; the race only stops waiting for it.
    const expired = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(this.error('transient', ConnectorErrorCode.Timeout, `resolving ${this.config.host} timed out`));
      deadline.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const vetted = await Promise.race([this.policy.vet(this.config.host, this.resolve), expired]);
      if (vetted.ok) return vetted.address;
      if (vetted.reason === 'denied') {
        throw this.error('data', HttpErrorCode.TargetDenied, `refused to connect: ${vetted.detail}`);
      }
      throw this.error('infrastructure', HttpErrorCode.DnsFailure, vetted.detail);
    } finally {
      deadline.removeEventListener('abort', onAbort);
      expired.catch(() => undefined);
    }
  }

  private async send(
    target: ResolvedAddress,
    message: { to: string[]; subject: string; body: string; from: string },
    ctx: ConnectorCallContext,
    deadline: AbortSignal,
  ): Promise<SmtpSendResult> {
    const { host, secure, requireTls, auth } = this.config;
    const transport = createTransport({
      host: target.address,
      port: this.port,
      secure: secure ?? false,
      requireTLS: requireTls ?? false,
      // Connecting by address, so the certificate must still be checked against the configured name.
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...(auth ? { auth: { user: auth.user, pass: auth.pass } } : {}),
      connectionTimeout: this.connectTimeoutMs,
      greetingTimeout: this.totalTimeoutMs,
      socketTimeout: this.totalTimeoutMs,
      // Do not wait for a slow peer to close after QUIT; the message is already accepted.
      socketCloseTimeout: 0,
      logger: false,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    try {
      const info = await transport.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.body,
        ...(ctx.idempotencyKey === undefined
          ? {}
          : { messageId: this.messageIdFor(ctx.idempotencyKey), headers: { 'X-Idempotency-Key': ctx.idempotencyKey } }),
        signal: deadline,
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      return {
        messageId: info.messageId,
        accepted: info.accepted.map(String),
        rejected: info.rejected.map(String),
        response: info.response,
      };
    } catch (error) {
      throw this.failure(error as SmtpFailure, deadline.aborted);
    } finally {
      transport.close();
    }
  }

  /** The same key always yields the same Message-ID, which is what lets a receiver drop a repeat. */
  private messageIdFor(idempotencyKey: string): string {
    const digest = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40);
    return `<baton.${digest}@${this.messageIdDomain}>`;
  }

  private failure(error: SmtpFailure, timedOut: boolean): ConnectorError {
    const where = `${this.config.host}:${this.port}`;
    if (timedOut) return this.error('transient', ConnectorErrorCode.Timeout, `${where} did not finish within ${this.totalTimeoutMs} ms`);
    const reply = error.response ? `: ${error.response}` : '';
    const code = error.responseCode;
    if (typeof code === 'number' && code >= 400 && code <= 599) {
      // RFC 5321: 4yz is a transient negative reply (try again later), 5yz a permanent one.
      const failureClass: FailureClass = code < 500 ? 'transient' : 'data';
      const after = error.command ? ` after ${error.command}` : '';
      return this.error(failureClass, `smtp_${code}`, `${where} replied ${code}${after}${reply}`);
    }
    const systemCode = error.originalCode ?? '';
    if (systemCode === 'ECONNREFUSED') {
      return this.error('infrastructure', ConnectorErrorCode.ConnectionRefused, `connection to ${where} refused`);
    }
    switch (error.code) {
      case 'ETIMEDOUT':
        return this.error('transient', ConnectorErrorCode.Timeout, `${where} timed out (${error.message})`);
      case 'ETLS':
      case 'EREQUIRETLS':
        return this.error('infrastructure', HttpErrorCode.TlsFailure, `TLS with ${where} failed (${error.message})`);
      case 'EAUTH':
      case 'ENOAUTH':
        return this.error('data', 'smtp_auth_failed', `${where} refused the credentials (${error.message})`);
      case 'EENVELOPE':
      case 'EMESSAGE':
        return this.error('data', ConnectorErrorCode.InvalidArgument, `${where} refused the message (${error.message})`);
    }
    return this.error(
      'infrastructure',
      HttpErrorCode.ConnectionFailed,
      `${where}: ${error.message}${systemCode ? ` (${systemCode})` : ''}`,
    );
  }

  private error(failureClass: FailureClass, code: string, problem: string): ConnectorError {
    return new ConnectorError(this.name, SEND.name, failureClass, code, `${this.name}.${SEND.name}: ${problem}`);
  }
}
