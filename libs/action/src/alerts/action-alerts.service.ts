import { ConnectorRegistry } from '@baton/connectors';
import { errorMessage } from '@baton/platform-errors';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ACTION_OPTIONS, type ActionOptions } from '../action-options.types';
import { CircuitBreakers } from '../circuits/circuit-breakers.service';

/** What became of an alert; kept on the run's timeline so a missing email is visible too. */
export interface AlertReceipt {
  to: string;
  sent: boolean;
  messageId?: string;
  error?: string;
}

export interface BlockedRunAlert {
  runId: string;
  workflowId: string;
  workflowName: string;
  owner: string;
  /** What failed, e.g. `action refund` or `context step customer`. */
  what: string;
  reason: string;
  /** Names this block among the run's blocks: the same block is never announced twice. */
  key: string;
}

export interface CircuitOpenedAlert {
  connector: string;
  reason: string;
  openedAt: number;
  coolDownMs: number;
}

/**
 * Tells people about failures through the notifications connector: the workflow owner by email
 * when a data failure blocks a run, the operators' chat channel when a connector's circuit opens.
 * Each message carries an idempotency key, so a redelivered message or a second attempt cannot
 * send it twice. Alerts are best effort: a failed alert is logged and reported, never allowed to
 * hold up the run it is about. Calls go through the notifications circuit, so an open one is not
 * hammered, but do not count towards it (an alert is not an action).
 */
@Injectable()
export class ActionAlerts {
  private readonly logger = new Logger(ActionAlerts.name);

  constructor(
    private readonly connectors: ConnectorRegistry,
    private readonly circuits: CircuitBreakers,
    @Inject(ACTION_OPTIONS) private readonly options: ActionOptions,
  ) {}

  async runBlocked(alert: BlockedRunAlert): Promise<AlertReceipt> {
    return this.send(
      {
        channel: 'email',
        to: alert.owner,
        subject: `Run ${alert.runId} of ${alert.workflowName} is blocked`,
        body:
          `Run ${alert.runId} (${alert.workflowId}) is blocked and needs a person: ${alert.what} failed with a data error.\n` +
          `Reason: ${alert.reason}\n` +
          `Timeline: GET /runs/${alert.runId}\n` +
          `Once the data is fixed: POST /blocked-runs/${alert.runId}/retry; to give it up: POST ` +
          `/blocked-runs/${alert.runId}/close with a reason.`,
      },
      `alert:${alert.runId}:${alert.key}`,
      alert.runId,
    );
  }

  async circuitOpened(alert: CircuitOpenedAlert): Promise<AlertReceipt> {
    if (alert.connector === this.options.alerts.connector) {
      this.logger.error(
        { connector: alert.connector, reason: alert.reason },
        'the alerts connector itself is down; operators cannot be told through it',
      );
      return { to: this.options.alerts.opsChannel, sent: false, error: `${alert.connector} is the alerts connector` };
    }
    return this.send(
      {
        channel: 'chat',
        to: this.options.alerts.opsChannel,
        subject: `Circuit open: ${alert.connector}`,
        body:
          `${alert.connector} is failing (${alert.reason}). Its actions are queued and their runs degraded; ` +
          `a probe retries it every ${Math.round(alert.coolDownMs / 1000)} s and the queue drains when it answers. ` +
          `Queue: GET /action-queue?connector=${alert.connector}`,
      },
      `circuit:${alert.connector}:${new Date(alert.openedAt).toISOString()}`,
    );
  }

  private async send(message: Record<string, string>, idempotencyKey: string, runId?: string): Promise<AlertReceipt> {
    const name = this.options.alerts.connector;
    const receipt: AlertReceipt = { to: message['to']!, sent: false };
    if (!this.connectors.has(name)) {
      this.logger.warn({ idempotencyKey, to: receipt.to }, `no ${name} connector; alert not sent`);
      return { ...receipt, error: `no ${name} connector` };
    }
    if (this.circuits.get(name).gate() === 'wait') {
      this.logger.warn({ idempotencyKey, to: receipt.to }, `${name} circuit is open; alert not sent`);
      return { ...receipt, error: `${name} circuit is open` };
    }
    try {
      const result = (await this.connectors.get(name).call('send', message, { idempotencyKey, ...(runId ? { runId } : {}) })) as {
        messageId?: string;
      };
      this.logger.log({ idempotencyKey, to: receipt.to, messageId: result?.messageId }, 'alert sent');
      return { ...receipt, sent: true, ...(typeof result?.messageId === 'string' ? { messageId: result.messageId } : {}) };
    } catch (error) {
      this.logger.warn({ idempotencyKey, to: receipt.to, error: errorMessage(error) }, 'alert not sent');
      return { ...receipt, error: errorMessage(error) };
    }
  }
}
