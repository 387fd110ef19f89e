// A small SVG bar chart of the daily CSAT average (1–5) with the rating count in each bar's tooltip.
// The figures are also given as text (aria-label and the table next to it), so the chart is decoration for AT.
import type { CsatStats } from '../api.js';

const WIDTH = 600;
const HEIGHT = 160;
const PAD_LEFT = 28;
const PAD_BOTTOM = 20;
const PAD_TOP = 10;
const MAX_SCORE = 5;

export function CsatChart({ perDay }: { perDay: CsatStats['perDay'] }) {
  const plotWidth = WIDTH - PAD_LEFT;
  const plotHeight = HEIGHT - PAD_BOTTOM - PAD_TOP;
  const step = plotWidth / Math.max(1, perDay.length);
  const rated = perDay.filter((d) => d.average !== null);
  const summary =
    rated.length === 0
      ? 'No ratings in this period.'
      : `Daily average satisfaction over ${perDay.length} days; ${rated.length} day${rated.length === 1 ? '' : 's'} with ratings, from ${Math.min(...rated.map((d) => d.average!))} to ${Math.max(...rated.map((d) => d.average!))} out of 5.`;
  return (
    <figure class="csat-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary}>
        {[1, 2, 3, 4, 5].map((score) => {
          const y = PAD_TOP + plotHeight - (score / MAX_SCORE) * plotHeight;
          return (
            <g key={score}>
              <line class="grid" x1={PAD_LEFT} x2={WIDTH} y1={y} y2={y} />
              <text class="axis" x={PAD_LEFT - 6} y={y + 4} text-anchor="end">
                {score}
              </text>
            </g>
          );
        })}
        {perDay.map((d, i) =>
          d.average === null ? null : (
            <rect
              key={d.day}
              class="bar"
              x={PAD_LEFT + i * step + step * 0.15}
              width={step * 0.7}
              y={PAD_TOP + plotHeight - (d.average / MAX_SCORE) * plotHeight}
              height={(d.average / MAX_SCORE) * plotHeight}
            >
              <title>{`${d.day}: ${d.average} average from ${d.count} rating${d.count === 1 ? '' : 's'}`}</title>
            </rect>
          ),
        )}
        <text class="axis" x={PAD_LEFT} y={HEIGHT - 4}>
          {perDay[0]?.day ?? ''}
        </text>
        <text class="axis" x={WIDTH} y={HEIGHT - 4} text-anchor="end">
          {perDay.at(-1)?.day ?? ''}
        </text>
      </svg>
      <figcaption>{summary}</figcaption>
    </figure>
  );
}
