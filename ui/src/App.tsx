import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { useAuth } from './auth.js';
import { Layout } from './components/Layout.js';
import { Empty, Loading } from './components/States.js';
import { AcceptInvitationPage, ResetPasswordPage } from './pages/AcceptPage.js';
import { ComparePage } from './pages/ComparePage.js';
import { DatasetPage } from './pages/DatasetPage.js';
import { DatasetsPage } from './pages/DatasetsPage.js';
import { ExperimentPage } from './pages/ExperimentPage.js';
import { PeoplePage } from './pages/PeoplePage.js';
import { QueuePage } from './pages/QueuePage.js';
import { QueuesPage } from './pages/QueuesPage.js';
import { ReviewPage } from './pages/ReviewPage.js';
import { SignInPage } from './pages/SignInPage.js';

/**
 * The app's routes. The server answers index.html for each of them (CLIENT_ROUTES in
 * src/surfaces/ui/index.ts): a new top-level path must be added there too.
 */
export function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/accept-invitation" element={<AcceptInvitationPage />} />
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      <Route element={<RequireSignIn />}>
        <Route path="/people" element={<PeoplePage />} />
        <Route path="/" element={<Navigate to="/datasets" replace />} />
        <Route path="/datasets" element={<DatasetsPage />} />
        <Route path="/datasets/:datasetId" element={<DatasetPage />} />
        <Route path="/datasets/:datasetId/compare" element={<ComparePage />} />
        <Route path="/experiments/:experimentId" element={<ExperimentPage />} />
        <Route path="/queues" element={<QueuesPage />} />
        <Route path="/queues/:queueId" element={<QueuePage />} />
        <Route path="/queues/:queueId/review" element={<ReviewPage />} />
        <Route
          path="*"
          element={
            <Empty title="No page here">
              The address names no page of evalstore. Go to the <Link to="/datasets">datasets</Link>.
            </Empty>
          }
        />
      </Route>
    </Routes>
  );
}

function RequireSignIn() {
  const { signedIn, checking } = useAuth();
  const location = useLocation();
  if (checking) return <Loading label="Signing in…" />;
  if (!signedIn) return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  return <Layout />;
}
