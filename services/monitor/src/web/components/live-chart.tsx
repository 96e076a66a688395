import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  readonly label: string;
  readonly color: string;
  readonly values: readonly number[];
}

/** A small uPlot line chart; redrawn in place as points arrive (uPlot is cheap to update). */
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
