/** The console's URLs. Pages load on demand, so the first page does not wait for the charts. */
import { lazy } from 'react';
import { createBrowserRouter } from 'react-router';
import { LoginPage } from './auth/login-page';
import { RequireSession } from './auth/require-session';
import { AppLayout } from './shell/app-layout';
import { NotFoundPage } from './shell/not-found-page';

const OverviewPage = lazy(() => import('./overview/overview-page'));
const JobsPage = lazy(() => import('./jobs/jobs-page'));
const JobDetailPage = lazy(() => import('./jobs/job-detail-page'));
const JobEditorPage = lazy(() => import('./jobs/editor/job-editor-page'));
const RunRedirectPage = lazy(() => import('./runs/run-redirect-page'));
const GroupsPage = lazy(() => import('./groups/groups-page'));
const GroupDetailPage = lazy(() => import('./groups/group-detail-page'));
const UsersPage = lazy(() => import('./admin/users-page'));
const TeamsPage = lazy(() => import('./admin/teams-page'));
const TeamDetailPage = lazy(() => import('./admin/team-detail-page'));
const TokensPage = lazy(() => import('./admin/tokens-page'));
const AuditPage = lazy(() => import('./admin/audit-page'));
const AlertsPage = lazy(() => import('./alerts/alerts-page'));
const AlertChannelsPage = lazy(() => import('./alerts/channels/alert-channels-page'));

export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  {
    element: (
      <RequireSession>
        <AppLayout />
      </RequireSession>
    ),
    children: [
      { index: true, element: <OverviewPage /> },
      { path: 'jobs', element: <JobsPage /> },
      { path: 'jobs/new', element: <JobEditorPage mode="create" /> },
      { path: 'jobs/:job', element: <JobDetailPage /> },
      { path: 'jobs/:job/edit', element: <JobEditorPage mode="edit" /> },
      { path: 'runs/:runId', element: <RunRedirectPage /> },
      { path: 'worker-groups', element: <GroupsPage /> },
      { path: 'worker-groups/:name', element: <GroupDetailPage /> },
      { path: 'admin/users', element: <UsersPage /> },
      { path: 'admin/teams', element: <TeamsPage /> },
      { path: 'admin/teams/:name', element: <TeamDetailPage /> },
      { path: 'admin/tokens', element: <TokensPage /> },
      { path: 'admin/audit', element: <AuditPage /> },
      { path: 'admin/alert-channels', element: <AlertChannelsPage /> },
      { path: 'alerts', element: <AlertsPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
