import { llm } from '@livekit/agents';
import { toolCalls } from '../../core/metrics/session-metrics.ts';
import type { AssistantSnapshot } from '../config/assistant-snapshot.ts';
import { callCustomerTool, type ToolCallContext } from './customer-tool-call.ts';

export interface ToolEvents {
  onCall(callId: string, name: string, args: unknown): void;
  onResult(callId: string, name: string, result: unknown, isError: boolean): void;
  /** The assistant decided to hang up (built-in end_call). */
  onEndCall(): void;
}

/** The assistant's tools as library function tools: customer `function` tools over signed HTTP, and `end_call`. */
export function buildSessionTools(assistant: AssistantSnapshot, context: ToolCallContext, events: ToolEvents): Record<string, llm.FunctionTool<any, any, any>> {
  const tools: Record<string, llm.FunctionTool<any, any, any>> = {};
  for (const config of assistant.tools) {
    if (config.type === 'end_call') {
      tools.end_call = llm.tool({
        name: 'end_call',
        description: config.description ?? 'End the call. Use it when the conversation is over or the user asks to hang up.',
        execute: async (_args, { toolCallId }) => {
          toolCalls.inc({ type: 'end_call', outcome: 'succeeded' });
          events.onCall(toolCallId, 'end_call', {});
          events.onResult(toolCallId, 'end_call', 'ending the call', false);
          events.onEndCall();
          return 'The call is ending.';
        },
      });
      continue;
    }
    tools[config.name] = llm.tool({
      name: config.name,
      description: config.description,
      parameters: config.parameters as never,
      execute: async (args: unknown, { toolCallId }) => {
        events.onCall(toolCallId, config.name, args);
        const outcome = await callCustomerTool(config, toolCallId, args, context);
        toolCalls.inc({ type: 'function', outcome: outcome.ok ? 'succeeded' : 'failed' });
        if (!outcome.ok) {
          events.onResult(toolCallId, config.name, outcome.error, true);
          throw new llm.ToolError(outcome.error);
        }
        events.onResult(toolCallId, config.name, outcome.result, false);
        return outcome.result;
      },
    });
  }
  return tools;
}
