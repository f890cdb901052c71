import { useEffect, useState } from 'preact/hooks';
import { CalibrationChart } from '../components/calibration-chart';
import { Empty, ErrorNote, Loading } from '../components/feedback';
import { percent, show, time } from '../format';
import { useResource } from '../hooks';
import { navigate } from '../router';

interface Version {
  workflowId: string;
  version: number;
  modelId: string;
  createdAt: string;
  createdBy: string;
  source: string;
  metrics: {
    heldOut?: { examples?: number; accuracy?: number; ece?: number; logLoss?: number };
    automatic?: Record<string, unknown>;
    examples?: number;
  };
  thresholds: { auto: number; suggest: number; targetPrecision: number };
  active: boolean;
}

interface ReportRow {
  threshold: number;
  automated: number;
  errors: number;
  precision: number | null;
  precisionLowerBound: number | null;
  coverage: number;
  expectedErrorsPer1000: number;
}

interface Calibration {
  targetPrecision: number;
  auto: number;
  suggest: number;
  coverageAtAuto: number;
  expectedErrorsPer1000: number;
  examples: number;
  report: ReportRow[];
  current: { auto: number; suggest: number };
  basis: string;
}

/** Each workflow's classifier versions with their metrics, and a threshold picker over the calibration from decision history. */
export function ClassifiersPage({ query }: { query: URLSearchParams }) {
  const workflows = useResource((a) => a.get<{ workflows: Array<{ id: string; name: string }> }>('/workflows'), []);
  const chosen =
    query.get('workflow') ??
    (workflows.data?.workflows.some((w) => w.id === 'banking-support-routing')
      ? 'banking-support-routing'
      : workflows.data?.workflows[0]?.id) ??
    '';
  const [target, setTarget] = useState(0.99);
  const versions = useResource(
    (a) => (chosen ? a.get<{ versions: Version[] }>(`/classifiers/${chosen}`) : Promise.resolve(undefined)),
    [chosen],
  );
  const calibration = useResource(
    (a) => (chosen ? a.get<Calibration>(`/classifiers/${chosen}/calibration?targetPrecision=${target}`) : Promise.resolve(undefined)),
    [chosen, target],
  );
  return (
    <>
      <h1 tabIndex={-1}>Classifiers</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Workflow
          <select value={chosen} onChange={(e) => navigate('/classifiers', { workflow: (e.target as HTMLSelectElement).value })}>
            {(workflows.data?.workflows ?? []).map((w) => (
              <option key={w.id} value={w.id}>
                {w.name} ({w.id})
              </option>
            ))}
          </select>
        </label>
        <label>
          Target precision
          <select value={String(target)} onChange={(e) => setTarget(Number((e.target as HTMLSelectElement).value))}>
            {[0.9, 0.95, 0.98, 0.99, 0.995, 0.999].map((p) => (
              <option key={p} value={String(p)}>
                {percent(p)}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorNote error={workflows.error} what="list workflows" />
      <h2>Versions</h2>
      <ErrorNote error={versions.error} what="list classifier versions" />
      <Loading when={versions.loading && !versions.data} />
      {versions.data ? (
        versions.data.versions.length ? (
          <table>
            <caption>Classifier versions of {chosen}; the active one decides</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Trained</th>
                <th scope="col">From</th>
                <th scope="col">Held-out accuracy</th>
                <th scope="col">Calibration error (ECE)</th>
                <th scope="col">Acts at</th>
                <th scope="col">Suggests at</th>
                <th scope="col">Target precision</th>
                <th scope="col">Active</th>
              </tr>
            </thead>
            <tbody>
              {versions.data.versions.map((v) => (
                <tr key={v.version}>
                  <th scope="row">{v.version}</th>
                  <td>
                    {time(v.createdAt)} by {v.createdBy}
                  </td>
                  <td>{v.source}</td>
                  <td>{percent(v.metrics.heldOut?.accuracy)}</td>
                  <td>{show(v.metrics.heldOut?.ece !== undefined ? Number(v.metrics.heldOut.ece.toFixed(4)) : null)}</td>
                  <td>{percent(v.thresholds.auto)}</td>
                  <td>{percent(v.thresholds.suggest)}</td>
                  <td>{percent(v.thresholds.targetPrecision)}</td>
                  <td>{v.active ? 'active' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <Empty>No classifier version is trained for {chosen}.</Empty>
        )
      ) : null}
      <h2>Calibration from decision history</h2>
      <ErrorNote error={calibration.error} what="calibrate from history" />
      {calibration.data ? <ThresholdPicker calibration={calibration.data} /> : <Loading when={calibration.loading} />}
    </>
  );
}

function ThresholdPicker({ calibration }: { calibration: Calibration }) {
  const rows = calibration.report;
  const initial = Math.max(
    0,
    rows.findIndex((r) => r.threshold === calibration.auto),
  );
  const [index, setIndex] = useState(initial);
  useEffect(() => setIndex(initial), [calibration]);
  const row = rows[Math.min(index, rows.length - 1)];
  return (
    <>
      <p>
        Based on {calibration.examples} reviewed decision{calibration.examples === 1 ? '' : 's'} ({calibration.basis}). To reach{' '}
        {percent(calibration.targetPrecision)} precision, act automatically at {percent(calibration.auto)} confidence (today:{' '}
        {percent(calibration.current.auto)}), covering {percent(calibration.coverageAtAuto)} of decisions.
      </p>
      {row ? (
        <div class="picker">
          <label for="threshold">Threshold: act automatically at or above {percent(row.threshold)}</label>
          <input
            id="threshold"
            type="range"
            min={0}
            max={rows.length - 1}
            step={1}
            value={index}
            aria-valuetext={
              `${percent(row.threshold)}: coverage ${percent(row.coverage)}, ` +
              `${row.expectedErrorsPer1000.toFixed(1)} expected errors per 1,000`
            }
            onInput={(e) => setIndex(Number((e.target as HTMLInputElement).value))}
          />
          <output for="threshold" aria-live="polite">
            Coverage {percent(row.coverage)} · {row.expectedErrorsPer1000.toFixed(1)} expected errors per 1,000 · precision{' '}
            {percent(row.precision)} (at least {percent(row.precisionLowerBound)} with 95% confidence)
          </output>
        </div>
      ) : null}
      <CalibrationChart
        points={rows}
        picked={row?.threshold ?? null}
        label="Coverage against expected errors per 1,000 decisions, one point per threshold"
      />
      <table>
        <caption>What each threshold would have automated on the history</caption>
        <thead>
          <tr>
            <th scope="col">Threshold</th>
            <th scope="col">Automated</th>
            <th scope="col">Wrong</th>
            <th scope="col">Precision</th>
            <th scope="col">Lower bound</th>
            <th scope="col">Coverage</th>
            <th scope="col">Expected errors per 1,000</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.threshold} class={r === row ? 'picked' : undefined}>
              <th scope="row">{percent(r.threshold)}</th>
              <td>{r.automated}</td>
              <td>{r.errors}</td>
              <td>{percent(r.precision)}</td>
              <td>{percent(r.precisionLowerBound)}</td>
              <td>{percent(r.coverage)}</td>
              <td>{r.expectedErrorsPer1000.toFixed(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
