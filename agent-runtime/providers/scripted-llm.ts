import { type APIConnectOptions, DEFAULT_API_CONNECT_OPTIONS, llm, shortuuid } from '@livekit/agents';
import type { ScriptRule } from '../config/assistant-snapshot.ts';
import { ScriptMatcher } from './script-matcher.ts';

export interface Script {
  rules: ScriptRule[];
  default_reply?: string;
  /** Accepted as a synonym of default_reply. */
  default?: string;
}

/**
 * An LLM that answers from the assistant's script: the first rule whose pattern matches the user's latest message
 * wins, otherwise the default reply. Deterministic, offline and free, so flows can be demoed and tested without keys.
 * It uses no tokens (usage stays 0) and never calls tools; end-of-call in scripted flows goes through `end_call_phrases`.
 */
export class ScriptedLLM extends llm.LLM {
  private readonly matcher: ScriptMatcher;
  private readonly fallback: string;

  constructor(script: Script | undefined) {
    super();
    this.matcher = new ScriptMatcher(script?.rules ?? []);
    this.fallback = script?.default_reply ?? script?.default ?? "Sorry, I don't have an answer for that.";
  }

  label(): string {
    return 'echosphere.ScriptedLLM';
  }

  override get model(): string {
    return 'scripted';
  }

  override get provider(): string {
    return 'scripted';
  }

  async replyFor(userText: string): Promise<string> {
    return (await this.matcher.firstMatch(userText)) ?? this.fallback;
  }

  chat({
    chatCtx,
    toolCtx,
    connOptions = DEFAULT_API_CONNECT_OPTIONS,
  }: {
    chatCtx: llm.ChatContext;
    toolCtx?: llm.ToolContextLike;
    connOptions?: APIConnectOptions;
  }): llm.LLMStream {
    return new ScriptedLLMStream(this, { chatCtx, toolCtx, connOptions });
  }
}

class ScriptedLLMStream extends llm.LLMStream {
  constructor(
    private readonly scripted: ScriptedLLM,
    params: { chatCtx: llm.ChatContext; toolCtx?: llm.ToolContextLike; connOptions: APIConnectOptions },
  ) {
    super(scripted, params);
  }

  protected async run(): Promise<void> {
    const lastUserText = [...this.chatCtx.items]
      .reverse()
      .find((item): item is llm.ChatMessage => item.type === 'message' && item.role === 'user')?.textContent;
    const reply = await this.scripted.replyFor(lastUserText ?? '');
    const id = shortuuid('scripted_');
    // Word-sized chunks, like a streaming model, so sentence-level TTS starts before the whole reply is "generated".
    for (const piece of reply.match(/\S+\s*/g) ?? []) {
      this.queue.put({ id, delta: { role: 'assistant', content: piece } });
    }
  }
}
