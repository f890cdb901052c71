import { ActionModule } from '@baton/action';
import { DecisioningModule } from '@baton/decisioning';
import { IngestionModule } from '@baton/ingestion';
import { AuditModule } from '@baton/platform-audit';
import { CONSOLE_ROUTES, consoleRouteOf, type ConsoleService } from '@baton/platform-bootstrap';
import { ReconciliationModule } from '@baton/reconciliation';
import { VerificationModule } from '@baton/verification';
import { MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';

type Controller = abstract new (...args: never[]) => unknown;

/** Every route a controller serves: its path joined with each handler's, e.g. /runs/:runId. */
function pathsOf(controllers: Controller[]): string[] {
  const clean = (p: unknown) => String(p ?? '').replace(/^\/|\/$/g, '');
  return controllers.flatMap((c) => {
    const base = clean(Reflect.getMetadata(PATH_METADATA, c));
    const proto = (c as unknown as { prototype: Record<string, unknown> }).prototype;
    return Object.getOwnPropertyNames(proto)
      .filter((name) => name !== 'constructor' && Reflect.hasMetadata(PATH_METADATA, proto[name] as object))
      .map((name) => `/${[base, clean(Reflect.getMetadata(PATH_METADATA, proto[name] as object))].filter(Boolean).join('/')}`);
  });
}

const staticControllers = (module: object): Controller[] => Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, module) ?? [];

/** Each service app's controllers, as its app module composes them (the action app also hosts the audit module). */
const served: Record<ConsoleService, string[]> = {
  ingestion: pathsOf(staticControllers(IngestionModule)),
  decisioning: pathsOf(staticControllers(DecisioningModule)),
  action: pathsOf([...staticControllers(ActionModule), ...staticControllers(AuditModule)]),
  verification: pathsOf(staticControllers(VerificationModule)),
  reconciliation: pathsOf(staticControllers(ReconciliationModule)),
};

describe('CONSOLE_ROUTES', () => {
  it.each(CONSOLE_ROUTES.filter((r) => r.prefix !== '/me'))(
    'sends $prefix to $service, whose module has that controller',
    ({ prefix, service }) => {
      expect(served[service].some((path) => path === prefix || path.startsWith(`${prefix}/`) || prefix.startsWith(`${path}/`))).toBe(true);
    },
  );

  it("forwards every route of the services to its owner, except intake (webhooks, starting runs), which is not the console's", () => {
    const intake = (path: string) =>
      /^\/webhooks\/:[^/]+$/.test(path) || /^\/workflows\/:[^/]+\/runs$/.test(path) || path === '/record-changes';
    const wrong: Array<{ path: string; owner: string; routedTo: string | null }> = [];
    for (const [service, paths] of Object.entries(served)) {
      for (const path of paths.filter((p) => !intake(p)))
        if (consoleRouteOf(path) !== service) wrong.push({ path, owner: service, routedTo: consoleRouteOf(path) });
    }
    expect(wrong).toEqual([]);
    expect(served.ingestion).toEqual(expect.arrayContaining(['/runs', '/runs/:runId', '/workflows', '/triggers/sources']));
  });
});
