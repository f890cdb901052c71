import './instrument';
import { runService } from '@baton/platform-bootstrap';
import { loadIngestionEnv } from './config/ingestion.env';
import { IngestionAppModule } from './ingestion-app.module';

void runService('ingestion', loadIngestionEnv, (env) => IngestionAppModule.forRoot(env));
