import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface CalibrationPoint {
  threshold: number;
  coverage: number;
  expectedErrorsPer1000: number;
}

/**
 * Coverage (share of decisions that would be automatic) against expected wrong automatic
 * decisions per 1,000, one point per threshold; the picked threshold is marked. The table
 * beside it carries the same figures for anyone who cannot see the chart.
 */
export function CalibrationChart({ points, picked, label }: { points: CalibrationPoint[]; picked: number | null; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const sorted = [...points].sort((a, b) => a.coverage - b.coverage || b.threshold - a.threshold);
    const xs = sorted.map((p) => p.coverage * 100);
    const ys = sorted.map((p) => p.expectedErrorsPer1000);
    const mark = sorted.map((p) => (p.threshold === picked ? p.expectedErrorsPer1000 : null));
    const plot = new uPlot(
      {
        width: Math.min(640, box.current.clientWidth || 640),
        height: 280,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false } },
        axes: [
          { label: 'Coverage: decisions made automatically (%)', stroke: '#333' },
          { label: 'Expected errors per 1,000', stroke: '#333' },
        ],
        series: [
          {},
          { label: 'Expected errors per 1,000', stroke: '#1f5fa8', width: 2, points: { show: true, size: 6 } },
          { label: 'Picked threshold', stroke: '#b3261e', width: 0, points: { show: true, size: 12, fill: '#b3261e' } },
        ],
      },
      [xs, ys, mark],
      box.current,
    );
    return () => plot.destroy();
  }, [points, picked]);
  return (
    <figure class="chart">
      <div ref={box} role="img" aria-label={label} />
      <figcaption>{label}</figcaption>
    </figure>
  );
}
