import './instrument';
import { runService } from '@baton/platform-bootstrap';
import { loadEnrichmentEnv } from './config/enrichment.env';
import { EnrichmentAppModule } from './enrichment-app.module';

void runService('enrichment', loadEnrichmentEnv, (env) => EnrichmentAppModule.forRoot(env));
