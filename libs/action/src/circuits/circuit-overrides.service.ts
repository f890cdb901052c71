import { ConnectorRegistry } from '@baton/connectors';
import { RunLedger } from '@baton/platform-database';
import { errorMessage } from '@baton/platform-errors';
import type { Principal } from '@baton/platform-runtime';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ActionErrorCode, ActionException } from '../action.exception';
import { ACTION_OPTIONS, type ActionOptions } from '../action-options.types';
import type { CircuitOverride, CircuitView } from './circuit-breaker.util';
import { CircuitBreakers } from './circuit-breakers.service';
import { CircuitOverrideRepository } from './circuit-override.repository';

/**
 * Operators holding a connector's circuit open or closed. An override is stored (and audited) in
 * the transaction that makes it, applied at once in the replica that took the request, and read
 * by every other replica within `queue.pollMs`: breakers are per replica, an override is not.
 */
@Injectable()
export class CircuitOverrides implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CircuitOverrides.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly overrides: CircuitOverrideRepository,
    private readonly circuits: CircuitBreakers,
    private readonly ledger: RunLedger,
    private readonly connectors: ConnectorRegistry,
    @Inject(ACTION_OPTIONS) private readonly options: ActionOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => {
      this.sync().catch((error) => this.logger.warn(`circuit overrides not read, will retry: ${errorMessage(error)}`));
    }, this.options.queue.pollMs);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Brings this replica's breakers in line with the stored overrides. */
  async sync(): Promise<void> {
    const stored = await this.overrides.all();
    for (const [connector, override] of stored) {
      const breaker = this.circuits.get(connector);
      const current = breaker.forced;
      if (!current || current.state !== override.state || current.at !== override.at) breaker.force(override);
    }
    for (const connector of this.circuits.connectors()) {
      if (!stored.has(connector) && this.circuits.get(connector).forced)
        this.circuits.get(connector).release('an operator (through another replica)');
    }
  }

  async force(principal: Principal, connector: string, state: 'open' | 'closed', reason: string): Promise<CircuitView> {
    this.assertKnown(connector);
    const actor = `person:${principal.id}`;
    const override = await this.ledger.transaction(async (uow) => {
      const before = await this.overrides.get(uow.manager, connector);
      const after = await this.overrides.put(uow.manager, connector, { state, reason, by: actor });
      await uow.audit({
        actor,
        action: 'circuit.force',
        targetType: 'circuit',
        targetId: connector,
        before: {
          state: this.circuits.get(connector).current,
          override: before && { state: before.state, by: before.by, reason: before.reason },
        },
        after: { state, override: { state, by: actor, reason } },
        reason: { rationale: reason },
      });
      return after;
    });
    this.circuits.get(connector).force(override as CircuitOverride);
    return this.circuits.get(connector).view();
  }

  async release(principal: Principal, connector: string): Promise<CircuitView> {
    this.assertKnown(connector);
    const actor = `person:${principal.id}`;
    const released = await this.ledger.transaction(async (uow) => {
      const before = await this.overrides.get(uow.manager, connector);
      if (!before) return false;
      await this.overrides.delete(uow.manager, connector);
      await uow.audit({
        actor,
        action: 'circuit.release',
        targetType: 'circuit',
        targetId: connector,
        before: { override: { state: before.state, by: before.by, reason: before.reason } },
        after: { state: 'closed', override: null },
      });
      return true;
    });
    if (!released) {
      throw new ActionException(
        ActionErrorCode.InvalidCircuitRequest,
        `the ${connector} circuit is not forced open or closed`,
        undefined,
        'conflict',
      );
    }
    this.circuits.get(connector).release(actor);
    return this.circuits.get(connector).view();
  }

  private assertKnown(connector: string): void {
    if (!this.connectors.has(connector)) {
      throw new ActionException(
        ActionErrorCode.UnknownCircuit,
        `no connector ${JSON.stringify(connector)} (known: ${this.connectors
          .list()
          .map((c) => c.name)
          .join(', ')})`,
        undefined,
        'not_found',
      );
    }
  }
}
