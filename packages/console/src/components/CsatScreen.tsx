// Customer satisfaction over the last 30 days: overall, per day (chart) and per agent (table).
import { useEffect } from 'preact/hooks';
import { useActions, useStore } from '../hooks/use-store.js';
import { CsatChart } from './CsatChart.js';

export function CsatScreen() {
  const { loadCsat } = useActions();
  const csat = useStore((s) => s.csat);
  const isAdmin = useStore((s) => s.auth.agent?.role === 'admin');
  useEffect(() => {
    void loadCsat();
  }, []);
  const stats = csat.stats;
  return (
    <section aria-labelledby="csat-title">
      <h1 id="csat-title">Customer satisfaction</h1>
      {csat.isLoading && stats === undefined && <p aria-live="polite">Loading…</p>}
      {csat.error !== undefined && (
        <p class="error" role="alert">
          {csat.error}
        </p>
      )}
      {stats !== undefined && (
        <>
          <p class="csat-overall">
            {stats.average === null ? 'No ratings in the last 30 days.' : `Average ${stats.average} out of 5 from ${stats.count} rating${stats.count === 1 ? '' : 's'} in the last ${stats.days} days.`}
          </p>
          <h2>Per day</h2>
          <CsatChart perDay={stats.perDay} />
          <h2>{isAdmin ? 'Per agent' : 'Your ratings'}</h2>
          {stats.perAgent.length === 0 ? (
            <p class="muted">No rated conversations yet.</p>
          ) : (
            <table class="csat-table">
              <caption class="visually-hidden">Average rating per agent, last {stats.days} days</caption>
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col">Average (1–5)</th>
                  <th scope="col">Ratings</th>
                </tr>
              </thead>
              <tbody>
                {stats.perAgent.map((row) => (
                  <tr key={row.agentId}>
                    <th scope="row">{row.name}</th>
                    <td>{row.average}</td>
                    <td>{row.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
