import { useState } from 'preact/hooks';
import { Empty, ErrorNote, Loading } from '../components/feedback';
import { ReasonDialog } from '../components/reason-dialog';
import { time } from '../format';
import { useConsole, useLiveReload, useResource } from '../hooks';
import { href } from '../router';

interface BlockedRun {
  runId: string;
  workflowId: string;
  orgId: string;
  stage: string;
  reason: string;
  blockedAt: string;
  step?: string;
  connector?: string;
  done?: string[];
  retries?: number;
}

/** Runs a data failure stopped: retry once the data is fixed (optionally approving a held-back write), or close with a reason. */
export function BlockedRunsPage() {
  const { api, announce } = useConsole();
  const blocked = useResource((a) => a.get<{ items: BlockedRun[] }>('/blocked-runs'), []);
  useLiveReload(
    (e) =>
      (e.kind === 'run' && (e.to === 'blocked' || e.from === 'blocked')) ||
      (e.kind === 'audit' && (e.action === 'run.retry' || e.action === 'run.close')),
    blocked.reload,
  );
  const [dialog, setDialog] = useState<{ run: BlockedRun; verb: 'retry' | 'close' }>();
  const [approve, setApprove] = useState(false);
  return (
    <>
      <h1 tabIndex={-1}>Blocked runs</h1>
      <p class="muted">
        A system refused a lookup or an action as invalid, or a read-back disagreed. Fix the data there, then retry; or give the run up.
      </p>
      <ErrorNote error={blocked.error} what="list blocked runs" />
      <Loading when={blocked.loading && !blocked.data} />
      {blocked.data ? (
        blocked.data.items.length ? (
          <table class="blocked">
            <caption>Blocked runs, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Workflow</th>
                <th scope="col">Blocked at</th>
                <th scope="col">Why</th>
                <th scope="col">Since</th>
                <th scope="col">Resolve</th>
              </tr>
            </thead>
            <tbody>
              {blocked.data.items.map((run) => (
                <tr key={run.runId} data-blocked-run={run.runId}>
                  <td>
                    <a href={href(`/runs/${run.runId}`)}>{run.runId}</a>
                  </td>
                  <td>
                    {run.workflowId} ({run.orgId})
                  </td>
                  <td>
                    {run.stage}
                    {run.step ? ` · action ${run.step} (${run.connector})` : ''}
                    {run.done?.length ? `; done: ${run.done.join(', ')}` : ''}
                  </td>
                  <td>{run.reason}</td>
                  <td>{time(run.blockedAt)}</td>
                  <td class="actions">
                    {run.stage !== 'verification' ? (
                      <button
                        type="button"
                        class="primary"
                        onClick={() => (setApprove(false), setDialog({ run, verb: 'retry' }))}
                        aria-label={`Retry run ${run.runId}`}
                      >
                        Retry…
                      </button>
                    ) : null}
                    <button
                      type="button"
                      class="danger"
                      onClick={() => setDialog({ run, verb: 'close' })}
                      aria-label={`Close run ${run.runId}`}
                    >
                      Close…
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <Empty>No run is blocked.</Empty>
        )
      ) : null}
      {dialog?.verb === 'retry' ? (
        <ReasonDialog
          title={`Retry run ${dialog.run.runId}?`}
          confirm="Retry"
          reasonLabel="What was fixed"
          reasonRequired={false}
          onClose={() => setDialog(undefined)}
          extra={
            dialog.run.stage === 'action' ? (
              <label class="checkbox">
                <input type="checkbox" checked={approve} onChange={(e) => setApprove((e.target as HTMLInputElement).checked)} /> Approve it
                as mine: lets a write held back by the money limit go ahead
              </label>
            ) : null
          }
          onConfirm={async (reason) => {
            await api.post(`/blocked-runs/${dialog.run.runId}/retry`, {
              ...(reason ? { reason } : {}),
              ...(approve ? { approve: true } : {}),
            });
            announce(`Run ${dialog.run.runId} retried.`);
            blocked.reload();
          }}
        >
          <p>The run starts again from the stage that blocked it ({dialog.run.stage}); actions that had succeeded are not called again.</p>
        </ReasonDialog>
      ) : null}
      {dialog?.verb === 'close' ? (
        <ReasonDialog
          title={`Close run ${dialog.run.runId}?`}
          confirm="Close the run"
          danger
          onClose={() => setDialog(undefined)}
          onConfirm={async (reason) => {
            await api.post(`/blocked-runs/${dialog.run.runId}/close`, { reason });
            announce(`Run ${dialog.run.runId} closed.`);
            blocked.reload();
          }}
        >
          <p>The run ends as failed with your reason.</p>
        </ReasonDialog>
      ) : null}
    </>
  );
}
