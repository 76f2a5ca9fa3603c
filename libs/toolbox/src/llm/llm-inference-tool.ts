import { defineTool, ToolError, type ToolDefinition } from '@easyremote/node-sdk';
import { Type } from 'typebox';
import { ToolboxErrorCode } from '../errors.js';
import { chatCompletion } from './chat-completion.js';
import type { LlmConfig } from './llm-config.js';

/** A long prompt still fits one NATS message together with its envelope. */
export const LLM_MAX_PROMPT = 512 * 1024;

/**
 * `distributed_llm_inference`: the seed's LLM tool on an OpenAI-compatible backend. The tool
 * declares that the node must serve the call's `model` (requirements.modelArgument); nodes
 * advertise their models, so the gateway places the call on the least-loaded node serving it.
 */
export function createLlmInferenceTool(config: LlmConfig): ToolDefinition {
  return defineTool({
    name: 'distributed_llm_inference',
    title: 'LLM inference',
    description: `Generates text with a large language model on a compute node that serves the model (this node: ${config.models.join(', ')}).`,
    input: Type.Object(
      {
        prompt: Type.String({ minLength: 1, maxLength: LLM_MAX_PROMPT, description: 'Input prompt' }),
        model: Type.Optional(
          Type.String({ minLength: 1, description: "Model to run; the serving node's default when omitted" }),
        ),
        max_tokens: Type.Integer({
          minimum: 1,
          maximum: 1_000_000,
          default: 1000,
          description: 'Most tokens to generate',
        }),
        temperature: Type.Number({ minimum: 0, maximum: 2, default: 0.7, description: 'Sampling temperature' }),
      },
      { additionalProperties: false },
    ),
    output: Type.Object({
      text: Type.String(),
      tokens_generated: Type.Integer({
        minimum: 0,
        description: "The backend's usage.completion_tokens (0 when it reports none)",
      }),
      model_used: Type.String(),
      execution_time: Type.Number({ description: 'Seconds' }),
      finish_reason: Type.Optional(Type.String()),
    }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    metadata: { category: 'ai', tags: ['llm', 'inference'] },
    requirements: { modelArgument: 'model' },
    timeoutMs: config.timeoutMs + 5_000,
    // Long work: a client that can follow a task gets one (durable, readable on any replica).
    task: { support: 'optional' },
    handler: async ({ prompt, model, max_tokens, temperature }, ctx) => {
      const chosen = model ?? config.defaultModel;
      if (!config.models.includes(chosen)) {
        throw new ToolError(
          ToolboxErrorCode.ModelNotServed,
          `this node does not serve model ${JSON.stringify(chosen)} (it serves ${config.models.join(', ')})`,
        );
      }
      const started = performance.now();
      const answer = await chatCompletion(
        config,
        { model: chosen, prompt, maxTokens: max_tokens, temperature },
        ctx.signal,
      );
      return {
        text: answer.text,
        tokens_generated: answer.completionTokens ?? 0,
        // The seed reports the model asked for; backends may name a dated variant (gpt-4o-2024-08-06).
        model_used: chosen,
        execution_time: Math.round(performance.now() - started) / 1000,
        ...(answer.finishReason === undefined ? {} : { finish_reason: answer.finishReason }),
      };
    },
  });
}
