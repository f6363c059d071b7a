import { context, trace } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../../../support/app.js';
import { DIALECTS } from '../../../support/databases.js';
import { ExportResultCode, exportSpans, recordSpans } from '../helpers.js';

for (const dialect of DIALECTS) {
  describe(`${dialect}: OTLP log records of evaluations, with the real log exporter`, () => {
    const t = useTestServer(dialect);

    it('records a gen_ai.evaluation.result event as a score of its span, kept until the span arrives', async () => {
      const sdk = recordSpans({ 'openinference.project.name': 'evaluated' });
      const span = sdk.start('answer', { 'openinference.span.kind': 'LLM', 'output.value': 'Paris' });
      span.end();

      const provider = new LoggerProvider({
        resource: resourceFromAttributes({ 'service.name': 'judge' }),
        processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${t.url}/v1/logs`, headers: { 'x-api-key': t.adminKey } }) })],
      });
      provider.getLogger('judge').emit({
        eventName: 'gen_ai.evaluation.result',
        context: trace.setSpan(context.active(), span),
        attributes: {
          'gen_ai.evaluation.name': 'faithfulness',
          'gen_ai.evaluation.score.value': 0.25,
          'gen_ai.evaluation.score.label': 'unfaithful',
          'gen_ai.evaluation.explanation': 'not in the context',
          'gen_ai.evaluation.annotator_kind': 'LLM',
        },
      });
      await provider.forceFlush();
      await provider.shutdown();

      // The evaluation came first: the span's run is recorded now, and the score with it.
      expect((await exportSpans('protobuf', `${t.url}/v1/traces`, t.adminKey, sdk.finished())).code).toBe(ExportResultCode.SUCCESS);
      const list = (await t.call({ method: 'GET', url: '/api/v1/experiments?q=evaluated' })).json() as { data: { id: string }[] };
      const scores = (await t.call({ method: 'GET', url: `/api/v1/experiments/${list.data[0]!.id}/scores` })).json() as { data: Record<string, unknown>[] };
      const runs = (await t.call({ method: 'GET', url: `/api/v1/experiments/${list.data[0]!.id}/runs` })).json() as { data: { id: string }[] };
      expect(scores.data).toEqual([
        expect.objectContaining({
          run_id: runs.data[0]!.id,
          key: 'faithfulness',
          score: 0.25,
          value: 'unfaithful',
          comment: 'not in the context',
          source: 'model',
        }),
      ]);
    });
  });
}
