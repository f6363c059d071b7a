import { describe, expect, it } from 'vitest';
import { useTestServer } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { ExportResultCode, type ExporterKind, exportSpans, recordSpans, SpanStatusCode } from '../helpers.js';

async function streamRuns(t: { call: (o: object) => Promise<{ statusCode: number; json(): unknown }> }, name: string, query = '') {
  const list = (await t.call({ method: 'GET', url: `/api/v1/experiments?q=${encodeURIComponent(name)}` })).json() as { data: { id: string; name: string }[] };
  const stream = list.data.find((e) => e.name === name);
  if (!stream) return { stream: undefined, runs: [] as Record<string, unknown>[] };
  const runs = (await t.call({ method: 'GET', url: `/api/v1/experiments/${stream.id}/runs?limit=1000${query}` })).json() as { data: Record<string, unknown>[] };
  return { stream, runs: runs.data };
}

for (const dialect of DIALECTS) {
  for (const kind of ['protobuf', 'json'] as ExporterKind[]) {
    describe(`${dialect}: the OTLP trace receiver with the real ${kind} exporter`, () => {
      const t = useTestServer(dialect);

      it('assembles a 3-span OpenInference trace sent out of order across two requests, with tokens, model, messages, latency and an annotation', async () => {
        const project = `oi-${kind}`;
        const sdk = recordSpans({ 'openinference.project.name': project, 'service.name': 'ignored' });
        const root = sdk.start('agent', {
          'openinference.span.kind': 'CHAIN',
          'input.value': '{"question":"2+2?"}',
          'input.mime_type': 'application/json',
          'session.id': 's-1',
          'tag.tags': ['a', 'b'],
        });
        const llm = sdk.start(
          'ChatCompletion',
          {
            'openinference.span.kind': 'LLM',
            'llm.model_name': 'gpt-4o-mini',
            'llm.provider': 'openai',
            'llm.token_count.prompt': 12,
            'llm.token_count.completion': 3,
            'llm.token_count.total': 15,
            'llm.input_messages.0.message.role': 'system',
            'llm.input_messages.0.message.content': 'Be brief.',
            'llm.input_messages.1.message.role': 'user',
            'llm.input_messages.1.message.content': '2+2?',
            'llm.output_messages.0.message.role': 'assistant',
            'llm.output_messages.0.message.content': '4',
            'llm.invocation_parameters': '{"temperature":0}',
            'annotations.0.annotation.name': 'correctness',
            'annotations.0.annotation.annotator_kind': 'HUMAN',
            'annotations.0.annotation.result.score': 1,
            'annotations.0.annotation.result.label': 'correct',
            'annotations.0.annotation.result.explanation': 'the sum is right',
          },
          root,
        );
        llm.end();
        const tool = sdk.start('calculator', { 'openinference.span.kind': 'TOOL', 'input.value': '2+2', 'output.value': 'boom' }, root);
        tool.setStatus({ code: SpanStatusCode.ERROR, message: 'division by zero' });
        tool.end();
        root.setAttribute('output.value', '4');
        root.end();
        const [llmSpan, toolSpan, rootSpan] = sdk.finished();

        // The children first, then the root in a request of its own.
        expect((await exportSpans(kind, `${t.url}/v1/traces`, t.adminKey, [toolSpan!, llmSpan!])).code).toBe(ExportResultCode.SUCCESS);
        expect((await exportSpans(kind, `${t.url}/v1/traces`, t.adminKey, [rootSpan!])).code).toBe(ExportResultCode.SUCCESS);

        const traceId = rootSpan!.spanContext().traceId;
        const { stream, runs } = await streamRuns(t, project, `&trace_id=${traceId}`);
        expect(stream).toBeDefined();
        expect(runs).toHaveLength(3);
        const byName = Object.fromEntries(runs.map((run) => [run.name, run]));
        const rootRun = byName.agent!;
        expect(rootRun).toMatchObject({
          parent_run_id: null,
          trace_id: traceId,
          run_type: 'chain',
          input: { question: '2+2?' },
          output: '4',
          status: 'success',
        });
        expect(rootRun.metadata).toMatchObject({ session_id: 's-1', tags: ['a', 'b'] });
        expect(byName.ChatCompletion).toMatchObject({
          parent_run_id: rootRun.id,
          run_type: 'llm',
          prompt_tokens: 12,
          completion_tokens: 3,
          total_tokens: 15,
          metadata: { model: 'gpt-4o-mini', provider: 'openai' },
          input: {
            messages: [
              { role: 'system', content: 'Be brief.' },
              { role: 'user', content: '2+2?' },
            ],
          },
          output: { messages: [{ role: 'assistant', content: '4' }] },
        });
        expect((byName.ChatCompletion!.otel as { attributes: Record<string, unknown> }).attributes).toMatchObject({
          'llm.invocation_parameters': '{"temperature":0}',
        });
        expect(byName.calculator).toMatchObject({ parent_run_id: rootRun.id, status: 'error', error: 'division by zero', run_type: 'tool' });
        const expectedLatency = (rootSpan!.endTime[0] - rootSpan!.startTime[0]) * 1000 + (rootSpan!.endTime[1] - rootSpan!.startTime[1]) / 1e6;
        expect(rootRun.latency_ms).toBeCloseTo(expectedLatency, 3);

        const scores = (await t.call({ method: 'GET', url: `/api/v1/experiments/${stream!.id}/scores` })).json() as { data: Record<string, unknown>[] };
        expect(scores.data).toEqual([
          expect.objectContaining({
            run_id: byName.ChatCompletion!.id,
            key: 'correctness',
            score: 1,
            value: 'correct',
            comment: 'the sum is right',
            source: 'human',
          }),
        ]);

        // Sent again (an exporter's retry), nothing is recorded twice.
        expect((await exportSpans(kind, `${t.url}/v1/traces`, t.adminKey, [rootSpan!, llmSpan!, toolSpan!])).code).toBe(ExportResultCode.SUCCESS);
        expect((await streamRuns(t, project)).runs).toHaveLength(3);
      });

      it('maps a GenAI-conventions trace (the current and the deprecated names) and its evaluation event, sent gzip-compressed, child first', async () => {
        const project = `genai-${kind}`;
        const sdk = recordSpans({ 'service.name': project });
        const root = sdk.start('invoke_agent helper', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': 'conv-7' });
        const chat = sdk.start(
          'chat gpt-4.1',
          {
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': 'gpt-4.1',
            'gen_ai.response.model': 'gpt-4.1-2025-04-14',
            'gen_ai.usage.input_tokens': 40,
            'gen_ai.usage.output_tokens': 8,
            'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Capital of France?' }] }]),
            'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Paris' }], finish_reason: 'stop' }]),
            'gen_ai.request.temperature': 0.2,
          },
          root,
        );
        chat.addEvent('gen_ai.evaluation.result', {
          'gen_ai.evaluation.name': 'relevance',
          'gen_ai.evaluation.score.value': 0.9,
          'gen_ai.evaluation.score.label': 'relevant',
          'gen_ai.evaluation.explanation': 'answers the question',
        });
        chat.end();
        const legacy = sdk.start(
          'completion',
          { 'gen_ai.system': 'anthropic', 'gen_ai.request.model': 'claude-3', 'gen_ai.usage.prompt_tokens': 5, 'gen_ai.usage.completion_tokens': 2 },
          root,
        );
        legacy.addEvent('gen_ai.user.message', { content: 'Hi' });
        legacy.addEvent('gen_ai.choice', { 'gen_ai.event.content': '{"content":"Hello"}' });
        legacy.end();
        root.end();
        const [chatSpan, legacySpan, rootSpan] = sdk.finished();

        for (const batch of [[chatSpan!], [rootSpan!, legacySpan!]]) {
          expect((await exportSpans(kind, `${t.url}/v1/traces`, t.adminKey, batch, { gzip: true })).code).toBe(ExportResultCode.SUCCESS);
        }
        const { stream, runs } = await streamRuns(t, project);
        const byName = Object.fromEntries(runs.map((run) => [run.name, run]));
        expect(runs).toHaveLength(3);
        expect(byName['invoke_agent helper']).toMatchObject({ run_type: 'agent', parent_run_id: null, metadata: { session_id: 'conv-7' } });
        expect(byName['chat gpt-4.1']).toMatchObject({
          run_type: 'llm',
          parent_run_id: byName['invoke_agent helper']!.id,
          prompt_tokens: 40,
          completion_tokens: 8,
          total_tokens: 48,
          metadata: { model: 'gpt-4.1-2025-04-14', provider: 'openai', operation: 'chat' },
          input: { messages: [{ role: 'user', parts: [{ type: 'text', content: 'Capital of France?' }] }] },
          output: { messages: [{ role: 'assistant', parts: [{ type: 'text', content: 'Paris' }], finish_reason: 'stop' }] },
        });
        expect(byName.completion).toMatchObject({
          prompt_tokens: 5,
          completion_tokens: 2,
          metadata: { model: 'claude-3', provider: 'anthropic' },
          input: { messages: [{ role: 'user', content: 'Hi' }] },
          output: { messages: [{ role: 'assistant', content: 'Hello' }] },
        });
        const scores = (await t.call({ method: 'GET', url: `/api/v1/experiments/${stream!.id}/scores` })).json() as { data: Record<string, unknown>[] };
        expect(scores.data).toEqual([
          expect.objectContaining({ run_id: byName['chat gpt-4.1']!.id, key: 'relevance', score: 0.9, value: 'relevant', comment: 'answers the question' }),
        ]);
      });
    });
  }
}
