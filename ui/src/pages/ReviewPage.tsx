import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { getQueue, nextItem, previousItem, queueProgress, reviewItem, skipItem, type Queue, type QueueItem } from '../api/endpoints.js';
import type { Json } from '../api/types.js';
import { JsonView } from '../components/JsonView.js';
import { Empty, ErrorState, QueryState } from '../components/States.js';
import { ProgressBar } from './review/ProgressBar.js';

type Config = Queue['score_configs'][number];

/**
 * The review screen, built for speed: one item at a time, a widget per score config, and a key for
 * every action. ↑/↓ (or k/j) choose the score; digits give it (boolean: 1 yes, 0 no, or y/n;
 * categorical: 1–9 the n-th category; numeric: the digit); Enter submits and takes the next item,
 * s skips, b goes back, c writes a comment, e a correction; Escape leaves a text field.
 */
export function ReviewPage() {
  const queueId = useParams().queueId!;
  const client = useQueryClient();
  const queue = useQuery({ queryKey: ['queue', queueId], queryFn: () => getQueue(queueId) });
  const progress = useQuery({ queryKey: ['queue', queueId, 'progress'], queryFn: () => queueProgress(queueId) });
  const [item, setItem] = useState<QueueItem | null | undefined>(undefined);
  const [values, setValues] = useState<Record<string, Json>>({});
  const [active, setActive] = useState(0);
  const [comment, setComment] = useState('');
  const [correction, setCorrection] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const correctionRef = useRef<HTMLTextAreaElement>(null);

  const show = useCallback((next: QueueItem | null) => {
    setItem(next);
    setValues(next?.review?.status === 'reviewed' ? { ...next.review.scores } : {});
    setComment(next?.review?.comment ?? '');
    setCorrection(next?.review?.correction == null ? '' : JSON.stringify(next.review.correction));
    setActive(0);
    setError(null);
  }, []);

  const act = useCallback(
    async (work: () => Promise<QueueItem | null>) => {
      if (busy) return;
      setBusy(true);
      try {
        show(await work());
        void client.invalidateQueries({ queryKey: ['queue', queueId, 'progress'] });
      } catch (failure) {
        setError(failure);
      } finally {
        setBusy(false);
      }
    },
    [busy, client, queueId, show],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: the first item is taken once, when the screen opens
  useEffect(() => {
    void act(async () => (await nextItem(queueId)).item);
  }, [queueId]);

  const configs = queue.data?.score_configs ?? [];
  const submit = () =>
    act(async () => {
      if (!item) return null;
      let parsed: Json | undefined;
      if (correction.trim()) {
        try {
          parsed = JSON.parse(correction) as Json;
        } catch {
          parsed = correction;
        }
      }
      await reviewItem(queueId, item.id, { scores: values, comment: comment || null, ...(parsed === undefined ? {} : { correction: parsed }) });
      return (await nextItem(queueId)).item;
    });
  const skip = () =>
    act(async () => {
      if (item && item.review === null) await skipItem(queueId, item.id);
      return (await nextItem(queueId)).item;
    });
  const back = () => act(async () => (await previousItem(queueId, item?.review ? item.id : undefined)).item ?? item ?? null);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      const typing = target && (target.tagName === 'TEXTAREA' || target.tagName === 'INPUT');
      if (typing) {
        if (event.key === 'Escape') target.blur();
        else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void submit();
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const config = configs[active];
      const key = event.key;
      let handled = true;
      if (key === 'ArrowDown' || key === 'j') setActive((a) => Math.min(a + 1, configs.length - 1));
      else if (key === 'ArrowUp' || key === 'k') setActive((a) => Math.max(a - 1, 0));
      else if (key === 'Enter') void submit();
      else if (key === 's') void skip();
      else if (key === 'b') void back();
      else if (key === 'c') commentRef.current?.focus();
      else if (key === 'e') correctionRef.current?.focus();
      else if (config && valueOfKey(config, key) !== undefined) {
        const value = valueOfKey(config, key)!;
        setValues((current) => ({ ...current, [config.name]: value }));
        // A score given moves on to the next one, so a review is a few keys.
        setActive((a) => Math.min(a + 1, configs.length - 1));
      } else handled = false;
      if (handled) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (!queue.isSuccess) return <QueryState query={queue} loading="Loading the queue…" failure="Could not load the queue" />;
  return (
    <section className="review" data-testid="review-screen">
      <header className="review-head">
        <h1>
          <Link to={`/queues/${queueId}`}>{queue.data.name}</Link>
        </h1>
        {progress.isSuccess && (
          <div className="review-progress">
            <ProgressBar done={progress.data.done} total={progress.data.items} label="items done" />
            <ProgressBar done={progress.data.mine.reviewed} total={progress.data.mine.reviewed + progress.data.mine.remaining} label="reviewed by you" />
          </div>
        )}
      </header>
      {error !== null && <ErrorState error={error} title="The review was not recorded" />}
      {item === undefined ? null : item === null ? (
        <Empty title="Nothing left for you to review">Every item has its reviews, or you have seen them all. b goes back.</Empty>
      ) : (
        <div className="review-body">
          <div className="review-item">
            <JsonView label="Input" value={(item.record?.input ?? item.run?.input ?? null) as Json} />
            {item.run && <JsonView label="Output" value={(item.run.output ?? null) as Json} />}
            {item.record && <JsonView label="Expected output" value={item.record.expected_output as Json} />}
            {item.trace.length > 1 && (
              <details>
                <summary>Trace ({item.trace.length} runs)</summary>
                <ul>
                  {item.trace.map((run) => (
                    <li key={run.id}>
                      <strong>{run.name ?? run.run_type ?? run.id}</strong> <JsonView value={(run.output ?? null) as Json} />
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </div>
          <aside className="review-scores">
            {configs.map((config, index) => (
              <ScoreWidget
                key={config.id}
                config={config}
                active={index === active}
                value={values[config.name]}
                onChange={(value) => setValues((current) => ({ ...current, [config.name]: value }))}
                onFocus={() => setActive(index)}
              />
            ))}
            <label>
              <span>
                Comment <kbd>c</kbd>
              </span>
              <textarea ref={commentRef} value={comment} onChange={(event) => setComment(event.target.value)} rows={3} />
            </label>
            <label>
              <span>
                Correction of the expected output <kbd>e</kbd>
              </span>
              <textarea ref={correctionRef} value={correction} onChange={(event) => setCorrection(event.target.value)} rows={3} placeholder="JSON or text" />
            </label>
            <div className="review-actions">
              <button type="button" onClick={() => void back()} disabled={busy}>
                Back <kbd>b</kbd>
              </button>
              <button type="button" onClick={() => void skip()} disabled={busy}>
                Skip <kbd>s</kbd>
              </button>
              <button type="button" className="primary" onClick={() => void submit()} disabled={busy}>
                Submit &amp; next <kbd>Enter</kbd>
              </button>
            </div>
          </aside>
        </div>
      )}
    </section>
  );
}

/** The value a key gives a config, if it gives one. */
function valueOfKey(config: Config, key: string): Json | undefined {
  if (config.type === 'boolean') {
    if (key === '1' || key === 'y') return true;
    if (key === '0' || key === 'n') return false;
    return undefined;
  }
  if (!/^[0-9]$/.test(key)) return undefined;
  const digit = Number(key);
  if (config.type === 'categorical') return config.categories?.[digit - 1];
  if (config.min !== null && digit < config.min) return undefined;
  if (config.max !== null && digit > config.max) return undefined;
  return digit;
}

function ScoreWidget({
  config,
  active,
  value,
  onChange,
  onFocus,
}: {
  config: Config;
  active: boolean;
  value: Json | undefined;
  onChange: (value: Json) => void;
  onFocus: () => void;
}) {
  const options: { label: string; value: Json; key: string }[] =
    config.type === 'boolean'
      ? [
          { label: 'Yes', value: true, key: '1' },
          { label: 'No', value: false, key: '0' },
        ]
      : config.type === 'categorical'
        ? (config.categories ?? []).map((category, index) => ({ label: category, value: category, key: String(index + 1) }))
        : [];
  return (
    <fieldset className={`score-widget${active ? ' active' : ''}`} data-testid={`score-${config.name}`} onFocus={onFocus}>
      <legend title={config.description ?? undefined}>{config.name}</legend>
      {options.length > 0 ? (
        options.map((option) => (
          <button key={option.label} type="button" className={value === option.value ? 'selected' : ''} onClick={() => onChange(option.value)}>
            {option.label} <kbd>{option.key}</kbd>
          </button>
        ))
      ) : (
        <input
          type="number"
          value={typeof value === 'number' ? value : ''}
          min={config.min ?? undefined}
          max={config.max ?? undefined}
          onChange={(event) => onChange(event.target.value === '' ? null : Number(event.target.value))}
        />
      )}
    </fieldset>
  );
}
