import { useQuery } from '@tanstack/react-query';
import { listVersions } from '../../api/endpoints.js';

/** Versions to pick from, newest first (the newest 1,000: the most a page holds). */
export function useVersionChoices(datasetId: string) {
  return useQuery({ queryKey: ['versions', datasetId, 'choices'], queryFn: () => listVersions(datasetId, { limit: 1000 }) });
}
