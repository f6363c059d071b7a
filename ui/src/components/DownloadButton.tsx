import { useState } from 'react';
import { download } from '../api/endpoints.js';

/**
 * Downloads a file the API streams. A plain link cannot carry the API key, so the file is fetched
 * with it and then handed to the browser.
 */
export function DownloadButton({ path, query, fileName, label }: { path: string; query: Record<string, string>; fileName: string; label: string }) {
  const [state, setState] = useState<'idle' | 'busy' | 'failed'>('idle');
  const start = async () => {
    setState('busy');
    try {
      await download(path, query, fileName);
      setState('idle');
    } catch {
      setState('failed');
    }
  };
  return (
    <button
      type="button"
      onClick={() => void start()}
      disabled={state === 'busy'}
      title={state === 'failed' ? 'The download failed; press to try again' : undefined}
    >
      {state === 'busy' ? 'Preparing…' : state === 'failed' ? `${label} (failed, retry)` : label}
    </button>
  );
}
