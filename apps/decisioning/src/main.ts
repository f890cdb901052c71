import './instrument';
import { runService } from '@baton/platform-bootstrap';
import { loadDecisioningEnv } from './config/decisioning.env';
import { DecisioningAppModule } from './decisioning-app.module';

void runService('decisioning', loadDecisioningEnv, (env) => DecisioningAppModule.forRoot(env));
