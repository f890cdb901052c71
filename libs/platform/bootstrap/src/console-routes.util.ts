/** The services a distributed console forwards to. */
export const CONSOLE_SERVICES = ['ingestion', 'decisioning', 'action', 'verification', 'reconciliation'] as const;
export type ConsoleService = (typeof CONSOLE_SERVICES)[number];

/**
 * Which service answers each API path the console calls, in distributed mode: the one whose
 * module has the controller. `/me` is served by every service (the runtime module); ingestion
 * answers it. The audit log and the live feed are the audit module's, which the action app hosts.
 */
export const CONSOLE_ROUTES: ReadonlyArray<{ prefix: string; service: ConsoleService }> = [
  { prefix: '/me', service: 'ingestion' },
  { prefix: '/workflows', service: 'ingestion' },
  { prefix: '/runs', service: 'ingestion' },
  { prefix: '/webhooks/sources', service: 'ingestion' },
  { prefix: '/triggers/sources', service: 'ingestion' },
  { prefix: '/reviews', service: 'decisioning' },
  { prefix: '/classifiers', service: 'decisioning' },
  { prefix: '/blocked-runs', service: 'action' },
  { prefix: '/circuits', service: 'action' },
  { prefix: '/action-queue', service: 'action' },
  { prefix: '/audit', service: 'action' },
  { prefix: '/live', service: 'action' },
  { prefix: '/dead-letters', service: 'verification' },
  { prefix: '/stuck-runs', service: 'verification' },
  { prefix: '/reconciliation', service: 'reconciliation' },
];

/** The service that answers `path` (a URL path, query allowed), or null when the console does not forward it. */
export function consoleRouteOf(path: string): ConsoleService | null {
  const pathname = path.split('?')[0]!;
  const route = CONSOLE_ROUTES.find((r) => pathname === r.prefix || pathname.startsWith(`${r.prefix}/`));
  return route?.service ?? null;
}
