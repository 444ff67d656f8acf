/** `/runs/{id}`: opens the run in its job's page. */
import { useQuery } from '@tanstack/react-query';
import { Spin } from 'antd';
import { Navigate, useParams } from 'react-router';
import { api } from '../api/endpoints';
import { ErrorState } from '../common/api-error';

export default function RunRedirectPage() {
  const { runId = '' } = useParams();
  const run = useQuery({ queryKey: ['run', runId], queryFn: () => api.runs.get(runId) });
  if (run.isError) return <ErrorState error={run.error} retry={() => void run.refetch()} />;
  if (!run.data) return <Spin style={{ display: 'block', margin: '64px auto' }} />;
  return <Navigate to={`/jobs/${encodeURIComponent(run.data.job)}?run=${run.data.id}`} replace />;
}
