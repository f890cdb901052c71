import './instrument';
import { runService } from '@baton/platform-bootstrap';
import { loadReconciliationEnv } from './config/reconciliation.env';
import { ReconciliationAppModule } from './reconciliation-app.module';

void runService('reconciliation', loadReconciliationEnv, (env) => ReconciliationAppModule.forRoot(env));
