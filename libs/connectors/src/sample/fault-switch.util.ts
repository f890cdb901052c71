import { ConnectorError, ConnectorErrorCode } from '../port/connector.exception';
import type { FailureClass } from '../port/connector.types';
import type { FailNextFault, FaultKind, FaultSettings } from './sample-system.types';

const DEFAULT_RETRY_AFTER_MS = 1000;

const FAULTS: Record<FaultKind, { failureClass: FailureClass; code: string; problem: string }> = {
  timeout: { failureClass: 'transient', code: ConnectorErrorCode.Timeout, problem: 'request timed out' },
  rate_limited: { failureClass: 'transient', code: ConnectorErrorCode.RateLimited, problem: 'rate limited (429)' },
  server_error: { failureClass: 'transient', code: ConnectorErrorCode.ServerError, problem: 'server error (503)' },
  bad_request: { failureClass: 'data', code: ConnectorErrorCode.BadRequest, problem: 'bad request (400)' },
  connection_refused: {
    failureClass: 'infrastructure',
    code: ConnectorErrorCode.ConnectionRefused,
    problem: 'connection refused',
  },
};

/** The failure a call must end with, and whether the call still takes effect first. */
export interface PlannedFault {
  readonly error: ConnectorError;
  readonly afterApply: boolean;
}

/** Switches a test or an operator flips to make a sample system slow, down or failing. */
export class FaultSwitch {
  private latencyMs = 0;
  private down = false;
  private failNext: FailNextFault | undefined;

  /** Changes only the switches named; naming one with `undefined` turns it back off. */
  set(settings: FaultSettings): void {
    if ('latencyMs' in settings) {
      const latencyMs = settings.latencyMs ?? 0;
      if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new RangeError('latencyMs must be a non-negative number');
      this.latencyMs = latencyMs;
    }
    if ('down' in settings) this.down = settings.down ?? false;
    if ('failNext' in settings) {
      const failNext = settings.failNext;
      if (failNext && (!Number.isInteger(failNext.count) || failNext.count < 0)) {
        throw new RangeError('failNext.count must be a non-negative integer');
      }
      this.failNext = failNext && failNext.count > 0 ? { ...failNext } : undefined;
    }
  }

  clear(): void {
    this.latencyMs = 0;
    this.down = false;
    this.failNext = undefined;
  }

  get current(): Required<Omit<FaultSettings, 'failNext'>> & Pick<FaultSettings, 'failNext'> {
    return { latencyMs: this.latencyMs, down: this.down, failNext: this.failNext && { ...this.failNext } };
  }

  /**
   * Runs before a call. A down system refuses at once, like a closed port, and leaves failNext
   * untouched. Otherwise the failNext count is taken before the latency wait, so concurrent calls
   * consume it in the order they were made.
   */
  async beforeCall(connector: string, operation: string): Promise<PlannedFault | undefined> {
    if (this.down) {
      throw new ConnectorError(
        connector,
        operation,
        'infrastructure',
        ConnectorErrorCode.Unavailable,
        `${connector}.${operation}: ${connector} is unavailable`,
      );
    }
    const planned = this.takeFailNext(connector, operation);
    const latencyMs = this.latencyMs;
    if (latencyMs > 0) await new Promise<void>((resolve) => setTimeout(resolve, latencyMs));
    if (planned && !planned.afterApply) throw planned.error;
    return planned;
  }

  private takeFailNext(connector: string, operation: string): PlannedFault | undefined {
    const failNext = this.failNext;
    if (!failNext) return undefined;
    this.failNext = failNext.count > 1 ? { ...failNext, count: failNext.count - 1 } : undefined;
    const fault = FAULTS[failNext.kind];
    const retryAfterMs = failNext.kind === 'rate_limited' ? (failNext.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS) : undefined;
    const error = new ConnectorError(
      connector,
      operation,
      fault.failureClass,
      fault.code,
      `${connector}.${operation}: ${fault.problem}`,
      retryAfterMs,
    );
    return { error, afterApply: failNext.afterApply ?? false };
  }
}
