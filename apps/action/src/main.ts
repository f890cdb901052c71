import './instrument';
import { runService } from '@baton/platform-bootstrap';
import { loadActionEnv } from './config/action.env';
import { ActionAppModule } from './action-app.module';

void runService('action', loadActionEnv, (env) => ActionAppModule.forRoot(env));
