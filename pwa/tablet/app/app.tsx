import { useEffect } from 'preact/hooks';
import { StatusBar } from './components/status-bar.tsx';
import { StorageBanner } from './components/storage-banner.tsx';
import { WorkerNotice } from './components/worker-notice.tsx';
import { Lazy } from './components/lazy.tsx';
import { CallHost } from './call/call-host.tsx';
import { PairingScreen } from './screens/pairing-screen.tsx';
import { PatientForm } from './screens/patient-form.tsx';
import { PatientList } from './screens/patient-list.tsx';
import { PatientScreen } from './screens/patient-screen.tsx';
import { VisitScreen } from './screens/visit-screen.tsx';
import { useCell } from './state/cell.ts';
import { useApp } from './state/context.ts';

// Screens used away from the house call's main path are set up on demand (esbuild runs a module's
// top level at its first import(); the app is one script, see scripts/build-pwa.js).
const loadConsult = () => import('./screens/consult-composer.tsx').then((m) => m.ConsultComposer);
const loadOutbox = () => import('./screens/outbox-screen.tsx').then((m) => m.OutboxScreen);
const loadInstruments = () => import('./screens/instruments-screen.tsx').then((m) => m.InstrumentsScreen);

/** The shell: the status bar and the screen of the current route. */
export function App() {
  const app = useApp();
  const route = useCell(app.route);
  useEffect(() => {
    const onPop = () => app.syncRoute();
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, [app]);
  return (
    <>
      <StatusBar />
      <CallHost />
      <main>
        <StorageBanner />
        <WorkerNotice />
        {route.name === 'patients' && <PatientList />}
        {route.name === 'new-patient' && <PatientForm />}
        {route.name === 'patient' && <PatientScreen id={route.id} />}
        {route.name === 'visit' && <VisitScreen id={route.id} />}
        {route.name === 'consult' && <Lazy load={loadConsult} props={{ visitId: route.visitId }} />}
        {route.name === 'outbox' && <Lazy load={loadOutbox} props={{}} />}
        {route.name === 'instruments' && <Lazy load={loadInstruments} props={{}} />}
        {route.name === 'pair' && <PairingScreen />}
      </main>
    </>
  );
}
