import { useCallback, useEffect, useReducer, useRef } from 'react';
import { errorMessage } from '../../api/api-error';
import type { CallConnection, CallTransport } from './call-connection';
import { callReducer, initialCallState, type CallAction, type CallState } from './call-state';
import { openWebSocketCall, WEBSOCKET_SAMPLE_RATE_HZ } from './websocket-call';

export type { CallTransport } from './call-connection';

export interface TestCall extends CallState {
  start(options: { transport: CallTransport; microphone: boolean }): Promise<void>;
  sendText(text: string): void;
  setInterruptions(enabled: boolean): void;
  end(): void;
}

interface ActiveCall {
  context: AudioContext;
  connection?: CallConnection;
  hungUp: boolean;
}

function hangUp(call: ActiveCall | null): void {
  if (!call || call.hungUp) return;
  call.hungUp = true;
  call.connection?.close();
  void call.context.close();
}

/**
 * A browser test call over either transport. Both feed the same reducer with the session protocol's events, so the
 * transcript, agent state and latency views do not know which one carries the call.
 */
export function useTestCall(assistantId: string, interruptionsDefault: boolean): TestCall {
  const [state, dispatch] = useReducer(callReducer, interruptionsDefault, initialCallState);
  const active = useRef<ActiveCall | null>(null);

  // Leaving the page hangs up.
  useEffect(() => () => hangUp(active.current), []);

  const start = useCallback(
    async ({ transport, microphone }: { transport: CallTransport; microphone: boolean }) => {
      hangUp(active.current);
      dispatch({ type: 'starting' });
      // Created inside the click handler's task, so the browser lets it play sound. A WebSocket call's context runs at
      // the session's rate; a WebRTC call's only meters what the browser plays.
      const call: ActiveCall = {
        context: transport === 'websocket' ? new AudioContext({ sampleRate: WEBSOCKET_SAMPLE_RATE_HZ, latencyHint: 'interactive' }) : new AudioContext(),
        hungUp: false,
      };
      active.current = call;
      const onAction = (action: CallAction) => {
        if (call.hungUp) return;
        dispatch(action);
        if (action.type === 'closed') hangUp(call);
      };
      try {
        const open = transport === 'livekit' ? (await import('./livekit-call')).openLiveKitCall : openWebSocketCall;
        const connection = await open({ assistantId, microphone, context: call.context, dispatch: onAction });
        if (call.hungUp) connection.close();
        else call.connection = connection;
      } catch (startError) {
        onAction({ type: 'failed', error: errorMessage(startError) });
        hangUp(call);
      }
    },
    [assistantId],
  );

  const send = (command: Parameters<CallConnection['send']>[0]) => active.current?.connection?.send(command);
  return {
    ...state,
    start,
    sendText(text) {
      send({ type: 'user.text', text });
      dispatch({ type: 'text-sent' });
    },
    setInterruptions(enabled) {
      send({ type: 'interruptions.set', enabled });
      dispatch({ type: 'interruptions-set', enabled });
    },
    end() {
      send({ type: 'session.end' });
    },
  };
}
