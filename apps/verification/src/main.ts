import './instrument';
import { runService } from '@baton/platform-bootstrap';
import { loadVerificationEnv } from './config/verification.env';
import { VerificationAppModule } from './verification-app.module';

void runService('verification', loadVerificationEnv, (env) => VerificationAppModule.forRoot(env));
