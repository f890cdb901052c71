import { ConnectorError, ConnectorErrorCode } from './connector.exception';
import type { Connector } from './connector.types';
import { TracedConnector } from './traced-connector';

/**
 * The connectors a process can reach, by name. It hands each out traced (TracedConnector): every
 * call through the registry is a span of the trace it is made in.
 */
export class ConnectorRegistry {
  private readonly connectors = new Map<string, Connector>();

  /** Refuses a second connector under the same name: silently replacing one would reroute actions. */
  register(connector: Connector): void {
    if (this.connectors.has(connector.name)) {
      throw new ConnectorError(
        connector.name,
        '',
        'data',
        ConnectorErrorCode.DuplicateConnector,
        `connector "${connector.name}" is already registered`,
      );
    }
    this.connectors.set(connector.name, connector instanceof TracedConnector ? connector : new TracedConnector(connector));
  }

  get(name: string): Connector {
    const connector = this.connectors.get(name);
    if (!connector) {
      const known = [...this.connectors.keys()].join(', ') || 'none';
      throw new ConnectorError(name, '', 'data', ConnectorErrorCode.UnknownConnector, `unknown connector "${name}" (registered: ${known})`);
    }
    return connector;
  }

  has(name: string): boolean {
    return this.connectors.has(name);
  }

  list(): Connector[] {
    return [...this.connectors.values()];
  }
}
