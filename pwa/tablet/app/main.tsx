import { render } from 'preact';
import { App } from './app.tsx';
import { takeEarlyDb } from './db/early-open.ts';
import { DB_NAME } from './db/schema.ts';
import { TabletDb } from './db/tablet-db.ts';
import { createKitApi } from './net/api.ts';
import { createLiveStream } from './net/stream.ts';
import { createAppState, type AppState } from './state/app-state.ts';
import { AppContext } from './state/context.ts';
import { createSession } from './state/session.ts';
import { watchServiceWorker } from './sw-bridge.ts';
import './app.css';

async function boot(): Promise<void> {
  performance.mark('fk:main');
  // Opened by the page's start script while this script loaded, when the database exists.
  const db = await TabletDb.open(indexedDB, DB_NAME, takeEarlyDb(globalThis));
  performance.mark('fk:db');
  const session = createSession(db);
  let app: AppState | undefined = undefined;
  const api = createKitApi({ token: session.token, onUnauthorized: () => void app?.unauthorized() });
  app = createAppState({
    api,
    db,
    session,
    stream: (handlers) => createLiveStream({ url: '/api/live', token: session.token, ...handlers }),
  });
  await app.restore();
  performance.mark('fk:restored');
  render(
    <AppContext.Provider value={app}>
      <App />
    </AppContext.Provider>,
    document.getElementById('app')!,
  );
  performance.mark('fk:render');
  await app.start(navigator.storage);
  watchServiceWorker(app);
}

void boot();
