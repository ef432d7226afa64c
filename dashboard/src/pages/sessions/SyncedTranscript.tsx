import { useEffect, useRef } from 'react';
import type { Schemas } from '../../api/client';
import { formatClock } from '../../components/format';

/**
 * The transcript, following the recording: the message being heard (by its start/end offsets) is highlighted and kept
 * in view; clicking a message plays the recording from there.
 */
export function SyncedTranscript(props: { messages: Schemas['Message'][]; positionMs: number; onSeek: (ms: number) => void; assistantName: string }) {
  const spoken = props.messages.filter((message) => message.role === 'user' || message.role === 'assistant');
  const current = currentMessageId(spoken, props.positionMs);
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    if (!current) return;
    list.current?.querySelector(`[data-message-id="${current}"]`)?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [current]);

  if (spoken.length === 0) return <p className="muted small">No messages in this session.</p>;
  return (
    <ol className="transcript" ref={list} aria-label="Transcript">
      {spoken.map((message) => {
        const seekable = message.start_ms !== null;
        const isCurrent = message.id === current;
        return (
          <li key={message.id} data-message-id={message.id} className={`bubble ${message.role} ${isCurrent ? 'current' : ''}`} aria-current={isCurrent ? 'true' : undefined}>
            <button type="button" className="bubble-button" disabled={!seekable} onClick={() => seekable && props.onSeek(message.start_ms!)}>
              <span className="bubble-role">
                {message.role === 'user' ? 'Caller' : props.assistantName}
                {seekable && <span className="muted"> · {formatClock(message.start_ms!)}</span>}
              </span>
              <span className="bubble-text">{message.text}</span>
              {message.interrupted && <span className="badge warning" title="The caller interrupted; the text is what was heard.">interrupted</span>}
            </button>
          </li>
        );
      })}
    </ol>
  );
}

/** The last message that started at or before the position (a message stays current through the pause after it). */
function currentMessageId(messages: Schemas['Message'][], positionMs: number): string | undefined {
  let current: string | undefined;
  for (const message of messages) {
    if (message.start_ms !== null && message.start_ms <= positionMs) current = message.id;
  }
  return current;
}
