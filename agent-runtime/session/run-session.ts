import { setTimeout as delay } from 'node:timers/promises';
import { llm, voice } from '@livekit/agents';
import { enqueueSessionEvaluations } from '../../core/evaluations/evaluation-jobs.ts';
import { appendSessionMessage, type NewMessage } from '../../core/repositories/messages.ts';
import { finishSession, type SessionRef } from '../../core/repositories/sessions.ts';
import { loadRuntimeSecrets } from '../../core/repositories/provider-credentials.ts';
import { type AssistantSnapshot, parseAssistantSnapshot } from '../config/assistant-snapshot.ts';
import { LatencyTracker, UsageTracker } from '../metrics/session-metrics.ts';
import { observeTurn } from '../metrics/session-observer.ts';
import { ProviderError } from '../providers/provider-error.ts';
import { providerFailure } from '../providers/provider-failure.ts';
import { type SessionRecording, startSessionRecording } from '../recording/session-recording.ts';
import { buildProviders, prewarmProviders, type SessionProviders } from '../providers/provider-factory.ts';
import { buildSessionTools } from '../tools/session-tools.ts';
import { agentSessionOptions } from './agent-session-options.ts';
import { EndCallRules } from './end-call-rules.ts';
import { SessionLimits } from './session-limits.ts';
import { SpeechLedger } from './speech-ledger.ts';
import { CLOSE_CODES, type ClientMessage, type TurnMetricsPayload } from '../transport/protocol.ts';
import type { SessionTransport } from '../transport/session-transport.ts';
import type { RuntimeDeps, RuntimeSession, SessionOutcome } from './runtime-deps.ts';

/** How long ending may wait for the library to wind down before the transport is closed regardless. */
const LIBRARY_CLOSE_TIMEOUT_MS = 1500;

const toMs = (seconds: number | undefined) => (seconds === undefined ? null : Math.round(seconds * 1000));

/**
 * Runs one session from its assistant snapshot on a transport, until it ends for any reason; resolves with how it
 * ended once everything is persisted. Never rejects: a failure inside a session ends that session (status `failed`)
 * and nothing else.
 */
export function runSession(session: RuntimeSession, transport: SessionTransport, deps: RuntimeDeps): SessionRun {
  const run = new SessionRun(session, transport, deps);
  void run.start();
  return run;
}

export class SessionRun {
  readonly done: Promise<SessionOutcome>;
  private resolveDone!: (outcome: SessionOutcome) => void;
  private readonly ref: SessionRef;
  private readonly log;
  private assistant: AssistantSnapshot | undefined;
  private agentSession: voice.AgentSession | undefined;
  private providers: SessionProviders | undefined;
  private ending = false;
  private readonly usage = new UsageTracker(() => this.providers?.tts.capabilities.streaming ?? true);
  /** Client audio received when the transcriber started listening (undefined: no transcriber). */
  private sttStartedAtInMs: number | undefined;
  private readonly latency = new LatencyTracker();
  /** Writes are chained so the transcript is stored in order and the end report sees all of it. */
  private writes: Promise<unknown> = Promise.resolve();
  private readonly limits = new SessionLimits((reason) => void this.end(reason));
  private readonly endCall = new EndCallRules({
    assistant: () => this.assistant,
    agentSession: () => this.agentSession,
    ending: () => this.ending,
    end: (reason) => this.end(reason),
    warn: (message, fields) => this.log.warn(message, fields),
  });
  private currentSpeech: voice.SpeechHandle | undefined;
  private firstMessageHandle: voice.SpeechHandle | undefined;
  /** The user turn a reply answers: its timing metrics, or when typed text arrived. */
  private pendingUserTurn: { metrics: llm.MetricsReport; typedAt?: number } | undefined;
  private lastPlaybackStartedAt: number | undefined;
  private speeches: SpeechLedger | undefined;
  private recording: Promise<SessionRecording | undefined> = Promise.resolve(undefined);
  private readonly storedItemIds = new Set<string>();
  /** Provider connections opened ahead of the first reply; closing waits for it so none is left open. */
  private prewarm: Promise<void> = Promise.resolve();

  constructor(
    readonly session: RuntimeSession,
    private readonly transport: SessionTransport,
    private readonly deps: RuntimeDeps,
  ) {
    this.ref = { orgId: session.orgId, sessionId: session.id, assistantId: session.assistantId };
    this.log = deps.logger.child({ session_id: session.id, org_id: session.orgId });
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  async start(): Promise<void> {
    try {
      this.transport.start({
        onMessage: (message) => this.onClientMessage(message),
        onDisconnect: (reason) => void this.end(reason === 'protocol-error' ? 'client-protocol-error' : reason),
      });
      const assistant = parseAssistantSnapshot(this.session.assistant);
      this.assistant = assistant;
      this.recording = this.startRecording(assistant);
      const secrets = await loadRuntimeSecrets(this.deps.db, this.deps.secretBox, this.session.orgId);
      if (this.ending) return;
      this.providers = await buildProviders({
        assistant,
        credentials: secrets.credentials,
        env: this.deps.env,
        urlPolicy: this.deps.providerUrlPolicy,
        resources: this.deps.resources,
        outputSampleRateHz: this.transport.outputSampleRateHz,
      });
      if (this.ending) return;
      this.prewarm = prewarmProviders(this.providers);
      const agentSession = new voice.AgentSession(agentSessionOptions(assistant, this.providers));
      this.agentSession = agentSession;
      const tools = buildSessionTools(
        assistant,
        { sessionId: this.session.id, assistantId: this.session.assistantId, signingSecret: secrets.toolSigningSecret, http: this.deps.toolHttp },
        {
          onCall: (callId, name, args) => this.transport.send({ type: 'tool.call', call_id: callId, name, arguments: args }),
          onResult: (callId, name, result, isError) => this.transport.send({ type: 'tool.result', call_id: callId, name, result, is_error: isError }),
          onEndCall: () => void this.endCall.endAfterGoodbye(),
        },
      );
      const agent = new voice.Agent({ instructions: assistant.system_prompt || 'You are a helpful voice assistant.', tools: Object.values(tools) });
      this.wireEvents(agentSession);
      agentSession.input.audio = this.transport.audioInput;
      agentSession.output.audio = this.transport.audioOutput;
      if (this.transport.textOutput) {
        agentSession.output.transcription = this.transport.textOutput as unknown as typeof agentSession.output.transcription;
      }
      // Recording starts before the agent speaks, so the first message is in it.
      await this.recording;
      if (this.ending) return;
      await agentSession.start({ agent, record: false });
      // From here the session forwards every input frame to the transcriber until it closes.
      if (this.providers.stt) this.sttStartedAtInMs = this.transport.audioInMs();
      if (this.ending) return;
      this.transport.send({ type: 'session.started', session_id: this.session.id, audio: this.transport.audio });
      this.limits.arm(assistant);
      if (assistant.first_message) {
        this.firstMessageHandle = agentSession.say(assistant.first_message, { allowInterruptions: assistant.first_message_interruptible });
      }
    } catch (error) {
      this.fail(error);
    }
  }

  /** Ends the session (idempotent). Resolves when everything is persisted. */
  async end(reason: string, options: { status?: 'ended' | 'failed'; closeCode?: number } = {}): Promise<SessionOutcome> {
    if (this.ending) return this.done;
    this.ending = true;
    this.speeches?.sessionEnding();
    const status = options.status ?? 'ended';
    let recordingEndMs: number | undefined;
    this.limits.clear();
    try {
      this.transport.send({ type: 'session.ended', reason });
      const agentSession = this.agentSession;
      if (agentSession) {
        await Promise.race([
          agentSession.close().catch((error: unknown) => this.log.warn('Agent session close failed', { error: String(error) })),
          delay(LIBRARY_CLOSE_TIMEOUT_MS, undefined, { ref: false }),
        ]);
      }
      await this.transport.close(options.closeCode ?? (status === 'failed' ? CLOSE_CODES.serverError : CLOSE_CODES.normal), reason);
      await this.closeProviders();
      await this.writes.catch(() => {});
      recordingEndMs = this.sessionOffsetMs(Date.now());
      await finishSession(this.deps.db, this.ref, {
        status,
        endedReason: reason,
        usage: this.usage.summary({ inMs: this.transport.audioInMs(), outMs: this.transport.audioOutMs(), sttMs: this.sttAudioMs() }),
        latency: this.latency.summary(),
        billing: this.deps.billing,
      });
      await this.enqueueEvaluation();
    } catch (error) {
      this.log.error('Could not finish the session cleanly', { error: String(error) });
    }
    // After the transport has closed: the assistant audio the client heard last has been handed to the recording.
    await this.finishRecording(recordingEndMs ?? this.sessionOffsetMs(Date.now()));
    const outcome = { status, endedReason: reason };
    this.resolveDone(outcome);
    return outcome;
  }

  /** The evaluation the session end requested goes on the job queue (a lost enqueue is redone by the evaluation sweep). */
  private async enqueueEvaluation(): Promise<void> {
    const queue = this.deps.media?.queue;
    if (!queue) return;
    await enqueueSessionEvaluations(this.deps.db, queue, this.ref).catch((error: unknown) =>
      this.log.error('Could not enqueue the session evaluation; the sweep will', { error: String(error) }),
    );
  }

  private sttAudioMs(): number {
    return this.sttStartedAtInMs === undefined ? 0 : this.transport.audioInMs() - this.sttStartedAtInMs;
  }

  /** Starts the recording when the assistant wants one and this process has media storage; never fails the session. */
  private async startRecording(assistant: AssistantSnapshot): Promise<SessionRecording | undefined> {
    const media = this.deps.media;
    if (!assistant.recording_enabled || !media) return undefined;
    try {
      const recording = await startSessionRecording(
        { db: this.deps.db, storage: media.storage, queue: media.queue, onError: (error) => this.log.error('Recording failed', { error: String(error) }) },
        { orgId: this.session.orgId, sessionId: this.session.id, sampleRateHz: this.transport.audio.sample_rate_hz },
      );
      this.transport.tapAudio({
        user: (samples, atMs) => this.writeRecording(() => recording.writeUser(samples, this.sessionOffsetMs(atMs))),
        assistant: (samples, atMs) => this.writeRecording(() => recording.writeAssistant(samples, this.sessionOffsetMs(atMs))),
      });
      return recording;
    } catch (error) {
      this.log.error('Could not start the recording; the session goes on unrecorded', { error: String(error) });
      return undefined;
    }
  }

  private writeRecording(write: () => void): void {
    try {
      write();
    } catch (error) {
      // The recording stops taking audio; finish() still stores what it has.
      this.transport.tapAudio(undefined);
      this.log.error('Recording stopped taking audio', { error: String(error) });
    }
  }

  private async finishRecording(endMs: number): Promise<void> {
    this.transport.tapAudio(undefined);
    const recording = await this.recording;
    if (!recording) return;
    this.transport.tapAudio(undefined);
    try {
      await recording.finish(endMs);
    } catch (error) {
      this.log.error('Could not finish the recording', { recording_id: recording.recordingId, error: String(error) });
    }
  }

  private sessionOffsetMs(epochMs: number): number {
    return Math.max(0, epochMs - this.session.startedAt.getTime());
  }

  private fail(error: unknown): void {
    if (error instanceof ProviderError) {
      this.log.warn('Provider failed', { provider: error.provider, error: error.message });
      this.transport.send({ type: 'error', code: 'provider_error', message: error.message });
      void this.end(`provider-error:${error.provider}`, { status: 'failed', closeCode: CLOSE_CODES.serverError });
      return;
    }
    this.log.error('Session failed', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    this.transport.send({ type: 'error', code: 'internal_error', message: 'The session failed on the server' });
    void this.end('server-error', { status: 'failed', closeCode: CLOSE_CODES.serverError });
  }

  private wireEvents(agentSession: voice.AgentSession): void {
    const guard = <T>(handler: (event: T) => void) => (event: T) => {
      try {
        handler(event);
      } catch (error) {
        this.fail(error);
      }
    };
    agentSession.on(voice.AgentSessionEventTypes.UserStateChanged, guard((event: voice.UserStateChangedEvent) => {
      this.limits.activity();
      this.limits.userSpeaking = event.newState === 'speaking';
      if (event.newState === 'speaking') this.transport.send({ type: 'user.speech.started' });
      else if (event.oldState === 'speaking') this.transport.send({ type: 'user.speech.stopped' });
    }));
    agentSession.on(voice.AgentSessionEventTypes.AgentStateChanged, guard((event: voice.AgentStateChangedEvent) => {
      this.limits.agentState = event.newState;
      this.limits.activity();
      this.transport.agentStateChanged?.(event.newState);
    }));
    agentSession.on(voice.AgentSessionEventTypes.UserInputTranscribed, guard((event: voice.UserInputTranscribedEvent) => {
      this.limits.activity();
      if (!event.isFinal && event.transcript) this.transport.send({ type: 'transcript', role: 'user', text: event.transcript, final: false });
    }));
    const speeches = new SpeechLedger(this.transport.audioOutput);
    this.speeches = speeches;
    agentSession.on(voice.AgentSessionEventTypes.SpeechCreated, guard((event: voice.SpeechCreatedEvent) => {
      this.currentSpeech = event.speechHandle;
      speeches.speechCreated(event);
    }));
    agentSession.on(voice.AgentSessionEventTypes.ConversationItemAdded, guard((event: voice.ConversationItemAddedEvent) => {
      if (event.item.type === 'message') this.onMessage(event.item);
    }));
    agentSession.on(voice.AgentSessionEventTypes.FunctionToolsExecuted, guard((event: voice.FunctionToolsExecutedEvent) => {
      this.onToolsExecuted(event);
    }));
    agentSession.on(voice.AgentSessionEventTypes.MetricsCollected, guard((event: voice.MetricsCollectedEvent) => {
      this.usage.record(event.metrics);
    }));
    agentSession.on(voice.AgentSessionEventTypes.Error, guard((event: voice.ErrorEvent) => {
      if ('recoverable' in event.error && event.error.recoverable) return;
      this.fail(providerFailure(this.assistant!, event.error));
    }));
    agentSession.on(voice.AgentSessionEventTypes.Close, guard((event: voice.CloseEvent) => {
      if (this.ending) return;
      if (event.error) this.fail(providerFailure(this.assistant!, event.error));
      else void this.end('server-error', { status: 'failed' });
    }));
    this.transport.audioOutput.on(voice.AudioOutput.EVENT_PLAYBACK_STARTED, (event: voice.PlaybackStartedEvent) => {
      this.lastPlaybackStartedAt = event.createdAt;
    });
  }

  private offsetMs(epochMs: number | undefined): number | null {
    return epochMs === undefined ? null : Math.max(0, Math.round(epochMs - this.session.startedAt.getTime()));
  }

  private onMessage(item: llm.ChatMessage): void {
    // One row and one transcript event per conversation item, even if the library announces an item again.
    if (this.storedItemIds.has(item.id)) return;
    this.storedItemIds.add(item.id);
    const text = item.textContent ?? '';
    if (item.role === 'user') {
      const typedAt = this.pendingUserTurn?.typedAt;
      this.pendingUserTurn = { metrics: item.metrics, ...(typedAt !== undefined ? { typedAt } : {}) };
      const start = item.metrics.startedSpeakingAt !== undefined ? item.metrics.startedSpeakingAt * 1000 : item.createdAt;
      const end = item.metrics.stoppedSpeakingAt !== undefined ? item.metrics.stoppedSpeakingAt * 1000 : item.createdAt;
      this.transport.send({ type: 'transcript', role: 'user', text, final: true });
      this.persist({ role: 'user', text, spokenAt: start, startMs: this.offsetMs(start), endMs: this.offsetMs(end), interrupted: false });
      this.endCall.heard(text, 'user');
      return;
    }
    if (item.role !== 'assistant') return;
    const reply = this.speeches!.isReply(item);
    const heard = reply ? text : this.speeches!.heardSayText(item);
    // Nothing of it reached the caller: like an interrupted reply that played nothing, it is not in the transcript.
    if (!heard) return;
    // The model's context holds what the caller heard too, as it does for a reply the library cut itself.
    if (heard !== text) item.content = [heard];
    const turn = reply ? this.turnMetrics(item) : undefined;
    const startedAt = item.metrics.startedSpeakingAt !== undefined ? item.metrics.startedSpeakingAt * 1000 : this.lastPlaybackStartedAt;
    const message: NewMessage = {
      role: 'assistant',
      text: heard,
      ...(startedAt !== undefined ? { spokenAt: startedAt } : {}),
      startMs: this.offsetMs(startedAt),
      endMs: this.offsetMs(item.metrics.stoppedSpeakingAt !== undefined ? item.metrics.stoppedSpeakingAt * 1000 : Date.now()),
      interrupted: item.interrupted,
      metrics: turn ? { ...turn } : null,
    };
    void this.persist(message).then((id) => {
      if (id && turn) this.transport.send({ type: 'turn.metrics', message_id: id, ...turn });
    });
    this.transport.send({ type: 'transcript', role: 'assistant', text: heard, final: true, interrupted: item.interrupted });
    if (turn) {
      this.latency.record(turn);
      observeTurn(turn, { sessionId: this.session.id, assistant: this.assistant!, replyStartedAt: startedAt });
    }
    if (reply) this.pendingUserTurn = undefined;
    this.endCall.heard(heard, 'assistant');
  }

  /**
   * Per-turn latencies of a reply to the user turn it answers (the caller's last one). Only replies are turns: a
   * `say()` (first message, assistant.say, end-call message) finishing after the caller spoke must neither take these
   * metrics nor count in the session's latency summary.
   */
  private turnMetrics(item: llm.ChatMessage): TurnMetricsPayload | undefined {
    const userTurn = this.pendingUserTurn;
    if (!userTurn) return undefined;
    const replyStartedAt = item.metrics.startedSpeakingAt !== undefined ? item.metrics.startedSpeakingAt * 1000 : this.lastPlaybackStartedAt;
    const typedE2e = userTurn.typedAt !== undefined && replyStartedAt !== undefined ? replyStartedAt - userTurn.typedAt : undefined;
    return {
      end_of_turn_delay_ms: toMs(userTurn.metrics.endOfTurnDelay),
      stt_delay_ms: toMs(userTurn.metrics.transcriptionDelay),
      llm_ttft_ms: toMs(item.metrics.llmNodeTtft),
      tts_ttfb_ms: toMs(item.metrics.ttsNodeTtfb),
      e2e_ms: item.metrics.e2eLatency !== undefined ? toMs(item.metrics.e2eLatency) : typedE2e !== undefined && typedE2e >= 0 ? Math.round(typedE2e) : null,
    };
  }

  private onToolsExecuted(event: voice.FunctionToolsExecutedEvent): void {
    const now = this.offsetMs(Date.now());
    this.persist({
      role: 'assistant',
      text: '',
      startMs: now,
      endMs: now,
      interrupted: false,
      toolCalls: event.functionCalls.map((call) => ({ id: call.callId, name: call.name, arguments: safeJson(call.args) })),
    });
    for (const output of event.functionCallOutputs) {
      if (!output) continue;
      this.persist({
        role: 'tool',
        text: '',
        startMs: now,
        endMs: now,
        interrupted: false,
        toolResult: { call_id: output.callId, name: output.name, output: safeJson(output.output), is_error: output.isError },
      });
    }
  }

  private persist(message: NewMessage): Promise<string | undefined> {
    const write = this.writes.then(() => appendSessionMessage(this.deps.db, this.ref, message));
    this.writes = write.catch((error: unknown) => this.log.error('Could not store a message', { error: String(error) }));
    return write.catch(() => undefined);
  }

  private onClientMessage(message: ClientMessage): void {
    if (this.ending) return;
    this.limits.activity();
    const agentSession = this.agentSession;
    switch (message.type) {
      case 'ping':
        this.transport.send({ type: 'pong', ...(message.id ? { id: message.id } : {}) });
        return;
      case 'session.end':
        void this.end('customer-ended');
        return;
      case 'interruptions.set':
        this.setInterruptions(message.enabled);
        return;
      default:
        break;
    }
    if (!agentSession) {
      this.transport.send({ type: 'error', code: 'not_ready', message: 'The session is still starting' });
      return;
    }
    try {
      if (message.type === 'user.text') {
        this.pendingUserTurn = { metrics: {}, typedAt: Date.now() };
        if (this.currentSpeech && !this.currentSpeech.done() && this.currentSpeech.allowInterruptions) this.currentSpeech.interrupt();
        agentSession.generateReply({ userInput: message.text });
      } else if (message.type === 'assistant.say') {
        agentSession.say(message.text, { allowInterruptions: message.interruptible ?? true });
      }
    } catch (error) {
      this.transport.send({ type: 'error', code: 'not_ready', message: (error as Error).message });
    }
  }

  private setInterruptions(enabled: boolean): void {
    const agentSession = this.agentSession;
    if (!agentSession) return;
    agentSession.sessionOptions.turnHandling.interruption.enabled = enabled;
    const speech = this.currentSpeech;
    // The speech playing now follows the switch too, except a first message configured as not interruptible.
    const pinned = speech === this.firstMessageHandle && this.assistant?.first_message_interruptible === false;
    if (speech && !speech.done() && !pinned) speech.allowInterruptions = enabled;
  }

  private async closeProviders(): Promise<void> {
    const providers = this.providers;
    if (!providers) return;
    // A connection still opening would be left open by close(); one that hangs must not hold up the end.
    await Promise.race([this.prewarm, delay(LIBRARY_CLOSE_TIMEOUT_MS, undefined, { ref: false })]);
    // VADs are not closed here: the Silero one is shared by the process, and a default one has nothing but options.
    await Promise.allSettled([providers.tts.close(), providers.stt?.close(), providers.llm.aclose()]);
  }
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
