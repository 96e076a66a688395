import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  readonly label: string;
  readonly color: string;
  /** A null leaves a gap (a value not known at that time). */
  readonly values: readonly (number | null)[];
}

/** Seconds the time axis covers while there is a single sample (uPlot would otherwise span years). */
const MIN_SPAN_SECONDS = 60;

/**
 * The time axis covers the samples and nothing more. With one sample uPlot would widen the range to
 * 86,400,000 s (its day in milliseconds, read as seconds: years); it shows the minute before it instead.
 */
export function timeDomain(times: ArrayLike<number | null | undefined>): [number, number] {
  const first = times[0];
  const last = times[times.length - 1];
  if (typeof first !== 'number' || typeof last !== 'number') {
    const now = Date.now() / 1000;
    return [now - MIN_SPAN_SECONDS, now];
  }
  return last - first >= 1 ? [first, last] : [last - MIN_SPAN_SECONDS, last];
}

/**
 * A small uPlot line chart; redrawn in place as points arrive (uPlot is cheap to update). The figure
 * carries the drawn time domain (`data-x-min`, `data-x-max`, epoch seconds), `data-samples` and
 * `data-values` (the points of every series that are not gaps), so
 * what the axis shows can be checked without reading pixels.
 */
export function LiveChart(props: {
  title: string;
  times: readonly number[];
  series: readonly Series[];
  testId: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = props.series.map((s) => s.label).join('|');

  useEffect(() => {
    const element = host.current;
    if (element === null) return undefined;
    const chart = new uPlot(
      {
        width: Math.max(200, element.clientWidth),
        height: 180,
        scales: { x: { time: true, range: (chart) => timeDomain(chart.data[0] ?? []) } },
        hooks: {
          setScale: [
            (chart, key) => {
              if (key !== 'x') return;
              const figure = element.parentElement;
              figure?.setAttribute('data-x-min', String(chart.scales.x?.min ?? ''));
              figure?.setAttribute('data-x-max', String(chart.scales.x?.max ?? ''));
              figure?.setAttribute('data-samples', String(chart.data[0]?.length ?? 0));
              let known = 0;
              for (const values of chart.data.slice(1)) for (const v of values) if (v != null) known++;
              figure?.setAttribute('data-values', String(known));
            },
          ],
        },
        axes: [
          { stroke: '#94a3b8', grid: { stroke: '#334155' } },
          { stroke: '#94a3b8', grid: { stroke: '#334155' } },
        ],
        series: [{}, ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 2 }))],
        legend: { live: false },
      },
      [[], ...props.series.map(() => [])],
      element,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, element.clientWidth), height: 180 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Rebuilt only when the set of series changes; data updates go through setData below.
  }, [shape]);

  useEffect(() => {
    plot.current?.setData([[...props.times], ...props.series.map((s) => [...s.values])]);
  }, [props.times, props.series]);

  return (
    <figure className="card chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      <div ref={host} />
    </figure>
  );
}
