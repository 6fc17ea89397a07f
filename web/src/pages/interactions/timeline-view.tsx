import { duration } from './format';
import { BAR_LABEL, type Bar, type Timeline } from './timeline';

/** The timeline drawn as one lane per participant; every bar also reads as text (its title and label). */
export function TimelineView({ timeline }: { timeline: Timeline }) {
  const span = timeline.endMs - timeline.startMs;
  const pct = (ms: number) => `${(((ms - timeline.startMs) / span) * 100).toFixed(3)}%`;
  const width = (b: Bar) => `${Math.max(0.4, ((b.toMs - b.fromMs) / span) * 100).toFixed(3)}%`;
  const describe = (b: Bar) => `${BAR_LABEL[b.kind]}${b.detail ? ` (${b.detail})` : ''}: ${duration(b.fromMs - timeline.startMs)}–${duration(b.toMs - timeline.startMs)}`;
  const bars = (list: readonly Bar[]) =>
    list.map((b, i) => (
      <li key={i} className={`bar bar-${b.kind}`} style={{ left: pct(b.fromMs), width: width(b) }} title={describe(b)}>
        <span>{BAR_LABEL[b.kind]}</span>
        <span className="sr-only">{describe(b)}</span>
      </li>
    ));
  return (
    <div className="timeline" data-testid="timeline">
      {timeline.overall.length ? (
        <div className="lane">
          <div className="lane-name">Whole call</div>
          <ul className="lane-track" aria-label="Whole call">
            {bars(timeline.overall)}
          </ul>
        </div>
      ) : null}
      {timeline.lanes.map((lane) => (
        <div className="lane" key={lane.id}>
          <div className="lane-name">
            {lane.name} <span className="muted">{lane.purpose}</span>
          </div>
          <ul className="lane-track" aria-label={`${lane.name} (${lane.purpose})`}>
            {bars(lane.bars)}
            {lane.points.map((p, i) => (
              <li key={`p${i}`} className="point" style={{ left: pct(p.atMs) }} title={`${p.label} at ${duration(p.atMs - timeline.startMs)}`}>
                <span className="sr-only">
                  {p.label} at {duration(p.atMs - timeline.startMs)}
                </span>
              </li>
            ))}
          </ul>
        </div>
      ))}
      <div className="lane axis" aria-hidden="true">
        <div className="lane-name" />
        <div className="lane-track">
          <span style={{ left: 0 }}>0:00</span>
          <span style={{ right: 0 }}>{duration(timeline.endMs - timeline.startMs)}</span>
        </div>
      </div>
      <ul className="legend" aria-label="Legend">
        {(Object.keys(BAR_LABEL) as (keyof typeof BAR_LABEL)[]).map((k) => (
          <li key={k}>
            <span className={`swatch bar-${k}`} aria-hidden="true" /> {BAR_LABEL[k]}
          </li>
        ))}
        <li>
          <span className="swatch point" aria-hidden="true" /> Transfer
        </li>
      </ul>
    </div>
  );
}
