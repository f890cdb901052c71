/** What a new user sees once the engine is up: where to look and a run to start. */
export function startupBanner(url: string, dataDir: string): string {
  return `
Baton is running (embedded: all stages in one process, in-memory bus, PGlite in ${dataDir}).

  Console            ${url}/            (sign in with a demo key from config/api-keys.demo.yaml)
  Admin API + docs   ${url}/docs        (OpenAPI: ${url}/openapi.json)
  Workflows          ${url}/workflows   (-H 'authorization: Bearer demo-viewer-key')
  Health             ${url}/ready

Start a sample run (a refund under acme's refund limit of 500) with a public demo key
(config/api-keys.demo.yaml; every route but health, metrics and signed webhooks needs a key):

  curl -s -X POST ${url}/workflows/refund-request/runs -H 'authorization: Bearer demo-submitter-key' \\
    -H 'content-type: application/json' \\
    -d '{"orgId":"acme","payload":{"customerId":"cus_northwind","amount":120,"reason":"Damaged item"}}'

Then follow it:  curl -s ${url}/runs/<runId> -H 'authorization: Bearer demo-viewer-key'

`;
}
