import type { DatasetVersion } from '../../api/types.js';
import { formatDateTime } from '../../lib/format.js';

/** A version picker; `value` undefined stands for the latest. */
export function VersionSelect({
  label,
  versions,
  value,
  onChange,
  allowLatest = true,
}: {
  label: string;
  versions: DatasetVersion[];
  value: string | undefined;
  onChange: (version: string | undefined) => void;
  allowLatest?: boolean;
}) {
  return (
    <label className="inline-label">
      {label}
      <select value={value ?? ''} onChange={(event) => onChange(event.target.value || undefined)}>
        {allowLatest && <option value="">Latest</option>}
        {versions.map((version) => (
          <option key={version.version} value={String(version.version)}>
            v{version.version}
            {version.name ? ` (${version.name})` : ''} · {formatDateTime(version.created_at)}
          </option>
        ))}
      </select>
    </label>
  );
}
