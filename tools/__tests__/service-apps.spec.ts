// Each service app composes on its own: its module alone, its migrations alone, ready on /ready.
/* eslint-disable @nx/enforce-module-boundaries -- composes each app's module with its own service
   lib, as the app itself does; apps export no path alias, and no app depends on this file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actionMigrations } from '@baton/action';
import { decisioningMigrations } from '@baton/decisioning';
import { enrichmentMigrations } from '@baton/enrichment';
import { ingestionMigrations } from '@baton/ingestion';
import { createServiceApp } from '@baton/platform-bootstrap';
import { sharedMigrations } from '@baton/platform-database';
import { reconciliationMigrations } from '@baton/reconciliation';
import { verificationMigrations } from '@baton/verification';
import type { DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ActionAppModule } from '../../apps/action/src/action-app.module';
import { loadActionEnv } from '../../apps/action/src/config/action.env';
import { loadDecisioningEnv } from '../../apps/decisioning/src/config/decisioning.env';
import { loadEnrichmentEnv } from '../../apps/enrichment/src/config/enrichment.env';
import { loadIngestionEnv } from '../../apps/ingestion/src/config/ingestion.env';
import { loadReconciliationEnv } from '../../apps/reconciliation/src/config/reconciliation.env';
import { loadVerificationEnv } from '../../apps/verification/src/config/verification.env';
import { DecisioningAppModule } from '../../apps/decisioning/src/decisioning-app.module';
import { EnrichmentAppModule } from '../../apps/enrichment/src/enrichment-app.module';
import { IngestionAppModule } from '../../apps/ingestion/src/ingestion-app.module';
import { ReconciliationAppModule } from '../../apps/reconciliation/src/reconciliation-app.module';
import { VerificationAppModule } from '../../apps/verification/src/verification-app.module';

type Env = Record<string, string>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const names = (migrations: Function[]) => migrations.map((m) => m.name);

/** Each app, its migrations, and an operation of its own its OpenAPI document must describe. */
const apps: Record<string, { module: (env: Env) => DynamicModule; migrations: string[]; own: string }> = {
  ingestion: {
    module: (env) => IngestionAppModule.forRoot(loadIngestionEnv(env)),
    migrations: names(ingestionMigrations),
    own: 'post /workflows/{workflowId}/runs',
  },
  enrichment: {
    module: (env) => EnrichmentAppModule.forRoot(loadEnrichmentEnv(env)),
    migrations: names(enrichmentMigrations),
    own: 'get /ready',
  },
  decisioning: {
    module: (env) => DecisioningAppModule.forRoot(loadDecisioningEnv(env)),
    migrations: names(decisioningMigrations),
    own: 'post /reviews/{reviewId}/decision',
  },
  action: {
    module: (env) => ActionAppModule.forRoot(loadActionEnv(env)),
    migrations: names(actionMigrations),
    own: 'post /circuits/{connector}/force',
  },
  verification: {
    module: (env) => VerificationAppModule.forRoot(loadVerificationEnv(env)),
    migrations: names(verificationMigrations),
    own: 'get /dead-letters',
  },
  reconciliation: {
    module: (env) => ReconciliationAppModule.forRoot(loadReconciliationEnv(env)),
    migrations: names(reconciliationMigrations),
    own: 'get /reconciliation/mismatches',
  },
};

describe('service apps', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'baton-app-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each(Object.keys(apps))(
    '%s starts alone on PGlite and the in-memory bus, with only its own migrations, reports ready, describes its own API at /docs ' +
      'and measures every route',
    async (name) => {
      const sut = await createServiceApp(
        apps[name].module({ BATON_DATA_DIR: dataDir, BATON_WORKFLOWS_DIR: join(__dirname, '..', '..', 'workflows'), BATON_BUS: 'memory' }),
      );
      try {
        const ready = await sut.inject({ method: 'GET', url: '/ready' });
        expect({ status: ready.statusCode, body: ready.json().status }).toEqual({ status: 200, body: 'ready' });
        const applied = (await sut.get(DataSource).query('SELECT name FROM migrations')) as Array<{ name: string }>;
        expect(applied.map((row) => row.name).sort()).toEqual([...names(sharedMigrations), ...apps[name].migrations].sort());

        // Its own API, described at /docs: its operations, not another service's.
        const docs = await sut.inject({ method: 'GET', url: '/docs' });
        expect([docs.statusCode, docs.headers['content-type']]).toEqual([200, expect.stringContaining('text/html')]);
        const openapi = (await sut.inject({ method: 'GET', url: '/openapi.json' })).json() as {
          info: { title: string };
          paths: Record<string, Record<string, unknown>>;
        };
        const operations = Object.entries(openapi.paths).flatMap(([path, methods]) =>
          Object.keys(methods).map((method) => `${method} ${path}`),
        );
        expect(openapi.info.title).toBe(`Baton ${name} service`);
        expect(operations).toEqual(expect.arrayContaining(['get /health', 'get /ready', 'get /metrics', apps[name].own]));
        const others = Object.entries(apps)
          .filter(([other]) => other !== name && apps[other].own !== 'get /ready')
          .map(([, app]) => app.own);
        expect(operations.filter((op) => others.includes(op))).toEqual([]);

        // Requests are measured per route pattern: rate, errors and duration.
        await sut.inject({ method: 'GET', url: '/no/such/path' });
        const metrics = (await sut.inject({ method: 'GET', url: '/metrics' })).body;
        expect(metrics).toContain(
          `baton_http_request_duration_seconds_count{service="${name}",method="GET",route="/ready",status_code="200"} 1`,
        );
        expect(metrics).toContain(
          `baton_http_request_duration_seconds_count{service="${name}",method="GET",route="unmatched",status_code="404"} 1`,
        );
      } finally {
        await sut.close();
      }
    },
    60_000,
  );
});
