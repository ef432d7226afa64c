import { useEffect, useRef, useState } from 'react';
import type { Schemas } from '../../api/client';

interface Level {
  index: number;
  label: string;
}

/**
 * The recording through hls.js (loaded only here): adaptive by default, with the rendition playing shown and a choice
 * to pin one. Reports the playback position so the transcript can follow, and seeks when asked.
 */
export function RecordingPlayer(props: {
  recording: Schemas['Recording'];
  onTime: (ms: number) => void;
  seekRequest: { ms: number; nonce: number } | null;
}) {
  const audio = useRef<HTMLAudioElement>(null);
  const hlsRef = useRef<import('hls.js').default | null>(null);
  const [levels, setLevels] = useState<Level[]>([]);
  const [current, setCurrent] = useState<number | null>(null);
  const [choice, setChoice] = useState(-1);
  const [error, setError] = useState<string | null>(null);
  const { onTime } = props;
  const masterUrl = props.recording.playback?.hls_url;

  useEffect(() => {
    const element = audio.current;
    if (!element || !masterUrl) return;
    let disposed = false;
    void import('hls.js').then(({ default: Hls }) => {
      if (disposed) return;
      if (!Hls.isSupported()) {
        // Safari plays HLS natively.
        element.src = masterUrl;
        return;
      }
      const hls = new Hls({ enableWorker: true });
      hlsRef.current = hls;
      hls.on(Hls.Events.MANIFEST_PARSED, (_event, data) => {
        setLevels(
          data.levels.map((level, index) => ({
            index,
            label: `${props.recording.renditions[index]?.name ?? `Rendition ${index + 1}`} · ${Math.round(level.bitrate / 1000)} kbps`,
          })),
        );
      });
      hls.on(Hls.Events.LEVEL_SWITCHED, (_event, data) => setCurrent(data.level));
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (data.fatal) setError(`Playback failed: ${data.details}`);
      });
      hls.loadSource(masterUrl);
      hls.attachMedia(element);
    });
    return () => {
      disposed = true;
      hlsRef.current?.destroy();
      hlsRef.current = null;
    };
  }, [masterUrl, props.recording.renditions]);

  useEffect(() => {
    const element = audio.current;
    if (!element) return;
    let frame = 0;
    // timeupdate fires only ~4 times a second; follow the audio clock while playing for a smooth highlight.
    const tick = () => {
      onTime(element.currentTime * 1000);
      if (!element.paused) frame = requestAnimationFrame(tick);
    };
    const onPlay = () => (frame = requestAnimationFrame(tick));
    const onSeeked = () => onTime(element.currentTime * 1000);
    element.addEventListener('play', onPlay);
    element.addEventListener('seeked', onSeeked);
    return () => {
      cancelAnimationFrame(frame);
      element.removeEventListener('play', onPlay);
      element.removeEventListener('seeked', onSeeked);
    };
  }, [onTime]);

  useEffect(() => {
    const element = audio.current;
    if (!element || !props.seekRequest) return;
    element.currentTime = props.seekRequest.ms / 1000;
    void element.play().catch(() => undefined);
  }, [props.seekRequest]);

  const choose = (value: number) => {
    setChoice(value);
    if (hlsRef.current) hlsRef.current.currentLevel = value;
  };

  return (
    <div className="player">
      <audio ref={audio} controls preload="metadata" aria-label="Session recording" data-testid="recording-audio" />
      <div className="player-meta">
        <label>
          <span>Rendition</span>
          <select value={choice} onChange={(event) => choose(Number(event.target.value))} disabled={levels.length === 0}>
            <option value={-1}>Automatic</option>
            {levels.map((level) => (
              <option key={level.index} value={level.index}>{level.label}</option>
            ))}
          </select>
        </label>
        <span className="muted small" data-testid="current-rendition">
          {current === null ? 'Loading…' : `Playing ${levels[current]?.label ?? `rendition ${current + 1}`}`}
        </span>
        {props.recording.download_url && <a className="small" href={props.recording.download_url} download>Download recording (M4A, stereo: caller left, assistant right)</a>}
      </div>
      {error && <p className="inline-error" role="alert">{error}</p>}
    </div>
  );
}
