import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent, type MouseEvent } from 'react';
import { api } from '../../api';
import { ErrorState, Loading, advice } from '../../components/states';
import { position } from './format';
import type { Annotation, Recording } from './types';
import { decode, drawWaveform, peaksOf, type Peaks } from './waveform';

/**
 * The recording player. It fetches the audio once through the recording's signed playback URL
 * (decrypted, masked for segment-limited listeners), decodes it to draw the two-channel waveform,
 * and plays the same bytes through an <audio> element routed through Web Audio: a channel
 * splitter with one gain per channel (per-channel mute) merged back to stereo.
 */

const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2] as const;
const COLUMNS = 1200;

type MarkerKind = 'bookmark' | 'hold' | 'securePause' | 'suppressed';
const MARKER_LABEL: Record<MarkerKind, string> = { bookmark: 'Bookmark', hold: 'Hold', securePause: 'Secure pause', suppressed: 'Suppressed' };

export function markerKind(a: Annotation): MarkerKind {
  if (a.reason === 'SecurePause') return 'securePause';
  if (a.type === 'hold' || (a.reason === 'Hold' && a.type !== 'pause')) return 'hold';
  if (a.type === 'pause' || a.reason) return 'suppressed';
  return 'bookmark';
}

interface Graph {
  readonly context: AudioContext;
  readonly gains: GainNode[];
}

export function Player({
  recording,
  channelNames,
  canBookmark,
}: {
  recording: Recording;
  /** What each channel carries, e.g. "Pat Caller (customer)". */
  channelNames: readonly string[];
  canBookmark: boolean;
}) {
  const uri = recording.mediaUris?.S.mediaUri;
  const [load, setLoad] = useState<{ peaks?: Peaks; src?: string; error?: unknown }>({});
  const [annotations, setAnnotations] = useState<Annotation[]>(recording.annotations);
  const [playing, setPlaying] = useState(false);
  const [at, setAt] = useState(0);
  const [speed, setSpeed] = useState(1);
  const [muted, setMuted] = useState<boolean[]>([false, false]);
  const audio = useRef<HTMLAudioElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const graph = useRef<Graph | null>(null);

  useEffect(() => {
    if (!uri) return;
    let live = true;
    let src: string | undefined;
    (async () => {
      const response = await fetch(uri, { credentials: 'same-origin' });
      if (!response.ok) throw new Error(`the audio could not be fetched (${response.status})`);
      const bytes = await response.arrayBuffer();
      src = URL.createObjectURL(new Blob([bytes], { type: response.headers.get('content-type') ?? 'audio/wav' }));
      const peaks = peaksOf(await decode(bytes.slice(0)), COLUMNS);
      if (live) setLoad({ peaks, src });
    })().catch((error: unknown) => live && setLoad({ error }));
    return () => {
      live = false;
      if (src) URL.revokeObjectURL(src);
    };
  }, [uri]);

  useEffect(() => () => void graph.current?.context.close(), []);

  const duration = load.peaks?.durationSec ?? (recording.outputDurationMs ?? 0) / 1000;

  // The playhead follows the audio while it plays.
  useEffect(() => {
    if (!playing) return;
    let frame = 0;
    const tick = () => {
      if (audio.current) setAt(audio.current.currentTime);
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [playing]);

  useEffect(() => {
    if (canvas.current && load.peaks) drawWaveform(canvas.current, load.peaks, duration ? at / duration : 0, muted);
  }, [load.peaks, at, duration, muted]);

  /** Web Audio needs a user gesture: the graph is built on the first play. */
  const ensureGraph = useCallback(() => {
    if (graph.current || !audio.current) return;
    const context = new AudioContext();
    const source = context.createMediaElementSource(audio.current);
    const splitter = context.createChannelSplitter(2);
    const merger = context.createChannelMerger(2);
    const gains = [context.createGain(), context.createGain()];
    source.connect(splitter);
    gains.forEach((g, i) => {
      g.gain.value = muted[i] ? 0 : 1;
      splitter.connect(g, i);
      g.connect(merger, 0, i);
    });
    merger.connect(context.destination);
    graph.current = { context, gains };
  }, [muted]);

  const toggle = async () => {
    const el = audio.current;
    if (!el) return;
    if (!el.paused) return el.pause();
    ensureGraph();
    await graph.current?.context.resume();
    await el.play().catch((error: unknown) => setLoad((l) => ({ ...l, error })));
  };

  const seek = (seconds: number) => {
    const t = Math.max(0, Math.min(duration, seconds));
    if (audio.current) audio.current.currentTime = t;
    setAt(t);
  };

  const toggleMute = (channel: number) => {
    const next = muted.map((v, i) => (i === channel ? !v : v));
    const gain = graph.current?.gains[channel];
    if (gain) gain.gain.value = next[channel] ? 0 : 1;
    setMuted(next);
  };

  const changeSpeed = (value: number) => {
    setSpeed(value);
    if (audio.current) audio.current.playbackRate = value;
  };

  const onWaveClick = (e: MouseEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    seek(((e.clientX - box.left) / box.width) * duration);
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, number> = { ArrowLeft: at - 5, ArrowRight: at + 5, PageDown: at - 30, PageUp: at + 30, Home: 0, End: duration };
    if (e.key in moves) {
      e.preventDefault();
      seek(moves[e.key]!);
    } else if (e.key === ' ' || e.key === 'k') {
      e.preventDefault();
      void toggle();
    }
  };

  if (!uri) {
    return <p className="state">This recording cannot be played now ({recording.fileState.toLowerCase()}).</p>;
  }
  if (load.error) return <ErrorState error={load.error} />;
  if (!load.peaks || !load.src) return <Loading what="the audio" />;

  const channels = load.peaks.channels.length;
  const pct = (seconds: number) => `${duration ? Math.min(100, (seconds / duration) * 100) : 0}%`;
  const withheld = recording.capstan.access.segments?.withheld ?? [];

  return (
    <div className="player" data-testid="player" data-gains={graph.current?.gains.map((g) => g.gain.value).join(',') ?? ''}>
      <audio
        ref={audio}
        src={load.src}
        preload="auto"
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onEnded={() => setPlaying(false)}
        onTimeUpdate={(e) => setAt(e.currentTarget.currentTime)}
      />
      <div
        className="wave"
        role="slider"
        tabIndex={0}
        aria-label="Playback position"
        aria-valuemin={0}
        aria-valuemax={Math.round(duration)}
        aria-valuenow={Math.round(at)}
        aria-valuetext={`${position(at)} of ${position(duration)}`}
        onClick={onWaveClick}
        onKeyDown={onKey}
      >
        <canvas ref={canvas} width={COLUMNS} height={160} />
        {channelNames.slice(0, channels).map((name, i) => (
          <span key={i} className="wave-label" aria-hidden="true" style={{ top: `${(i / channels) * 100}%` }}>
            {name}
          </span>
        ))}
        {withheld.map((w, i) => (
          <div
            key={`w${i}`}
            className="withheld"
            style={{ left: pct(w.recordingLocation / 1000), width: w.recordingDurationMs === null ? `calc(100% - ${pct(w.recordingLocation / 1000)})` : pct(w.recordingDurationMs / 1000) }}
            title="Withheld from you: silenced"
          />
        ))}
        {annotations.map((a) => {
          const kind = markerKind(a);
          const label = `${MARKER_LABEL[kind]}${a.name ? `: ${a.name}` : ''} at ${position(a.recordingLocation / 1000)}${a.realtimeDurationMs ? ` (${Math.round(a.realtimeDurationMs / 1000)} s)` : ''}`;
          return (
            <button
              type="button"
              key={a.id}
              className={`marker marker-${kind}`}
              style={{ left: pct(a.recordingLocation / 1000), width: a.recordingDurationMs ? pct(a.recordingDurationMs / 1000) : undefined }}
              title={label}
              aria-label={label}
              data-kind={kind}
              onClick={(e) => {
                e.stopPropagation();
                seek(a.recordingLocation / 1000);
              }}
            />
          );
        })}
        <div className="playhead" data-testid="playhead" data-position={at.toFixed(2)} style={{ left: pct(at) }} aria-hidden="true" />
      </div>
      <div className="toolbar player-controls">
        <button type="button" onClick={() => void toggle()} aria-pressed={playing}>
          {playing ? 'Pause' : 'Play'}
        </button>
        <span className="time" aria-live="off" data-testid="time">
          {position(at)} / {position(duration)}
        </span>
        <label className="inline">
          Speed
          <select value={speed} onChange={(e) => changeSpeed(Number(e.target.value))}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
        </label>
        {channelNames.slice(0, channels).map((name, i) => (
          <label className="inline" key={i} title={name}>
            <input type="checkbox" checked={!muted[i]} onChange={() => toggleMute(i)} />
            Hear channel {i + 1}
          </label>
        ))}
      </div>
      <ul className="legend" aria-label="Markers">
        {annotations.length === 0 ? <li className="muted">No markers on this recording.</li> : null}
        {(Object.keys(MARKER_LABEL) as MarkerKind[])
          .filter((k) => annotations.some((a) => markerKind(a) === k))
          .map((k) => (
            <li key={k}>
              <span className={`swatch marker-${k}`} aria-hidden="true" /> {MARKER_LABEL[k]} ({annotations.filter((a) => markerKind(a) === k).length})
            </li>
          ))}
      </ul>
      {canBookmark ? <BookmarkForm recording={recording} at={at} onAdded={(a) => setAnnotations((list) => [...list, a])} /> : null}
    </div>
  );
}

function BookmarkForm({ recording, at, onAdded }: { recording: Recording; at: number; onAdded: (a: Annotation) => void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const path = `/api/v2/conversations/${encodeURIComponent(recording.conversationId)}/recordings/${encodeURIComponent(recording.id)}/annotations`;
      const added = await api<Annotation>('POST', path, { type: 'bookmark', name: name.trim() || undefined, location: Math.round(at * 1000) });
      onAdded(added);
      setName('');
      setMessage({ ok: true, text: `Bookmark added at ${position(at)}.` });
    } catch (err) {
      setMessage({ ok: false, text: advice(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="toolbar bookmark" onSubmit={submit} aria-label="Add a bookmark">
      <label>
        Bookmark name
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} placeholder="What happens here" />
      </label>
      <button type="submit" disabled={busy}>
        Add bookmark at {position(at)}
      </button>
      {message ? (
        <span role={message.ok ? 'status' : 'alert'} className={message.ok ? 'muted' : 'form-error'}>
          {message.text}
        </span>
      ) : null}
    </form>
  );
}
