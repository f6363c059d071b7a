import type { Json } from '../api/types.js';
import { displayText } from '../lib/format.js';

/** A JSON value, indented; strings are shown as text so that prose stays readable. */
export function JsonView({ value, label }: { value: Json | undefined; label?: string }) {
  const text = displayText(value);
  return (
    <div className="json-block">
      {label && <div className="json-label">{label}</div>}
      <pre className={`json${typeof value === 'string' ? ' json-text' : ''}`}>{value === null ? 'null' : text}</pre>
    </div>
  );
}
