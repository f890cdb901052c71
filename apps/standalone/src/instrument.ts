// Loaded first by main.ts: tracing must be registered before Nest and its dependencies load, and
// a bad environment variable must stop the process here with one line naming it.
import { instrumentProcess } from '@baton/platform-observability';
import { loadStandaloneEnv } from './config/standalone.env';

instrumentProcess('standalone', loadStandaloneEnv);
