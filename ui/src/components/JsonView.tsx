import type { Json } from '../api/types.js';
import { displayText } from '../lib/format.js';

/** JSON longer than this many lines starts folded to its first lines, and opens on a click. */
const FOLD_LINES = 24;

interface ChatMessage {
  role: string;
  content: Json;
}

/** Chat messages (an array of {role, content}, or an object whose `messages` is one), as a conversation. */
function chatMessages(value: Json | undefined): ChatMessage[] | undefined {
  const list = value !== null && typeof value === 'object' && !Array.isArray(value) && Array.isArray(value.messages) ? value.messages : value;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const isMessage = (item: Json): item is { role: string; content: Json } =>
    item !== null && typeof item === 'object' && !Array.isArray(item) && typeof item.role === 'string' && 'content' in item;
  return list.every(isMessage) ? list.map((item) => ({ role: item.role, content: item.content })) : undefined;
}

/**
 * A JSON value, indented; strings are shown as text so that prose stays readable, chat messages as a
 * conversation, and long JSON folded to its first lines.
 */
export function JsonView({ value, label }: { value: Json | undefined; label?: string }) {
  const messages = chatMessages(value);
  const text = displayText(value);
  const lines = text.split('\n');
  return (
    <div className="json-block">
      {label && <div className="json-label">{label}</div>}
      {messages ? (
        <div className="chat" data-testid="chat">
          {messages.map((message, index) => (
            <div key={index} className={`chat-message chat-${message.role}`} data-role={message.role}>
              <div className="chat-role">{message.role}</div>
              <pre className="json json-text">{displayText(message.content)}</pre>
            </div>
          ))}
        </div>
      ) : typeof value !== 'string' && lines.length > FOLD_LINES ? (
        <details className="json-fold">
          <summary>
            <pre className="json">{lines.slice(0, 6).join('\n')}</pre>
            <span className="muted small">Show all {lines.length.toLocaleString('en-US')} lines</span>
          </summary>
          <pre className="json">{text}</pre>
        </details>
      ) : (
        <pre className={`json${typeof value === 'string' ? ' json-text' : ''}`}>{value === null ? 'null' : text}</pre>
      )}
    </div>
  );
}
