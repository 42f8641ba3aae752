import { render } from 'preact';
import { App } from './app.tsx';
import { TabletDb } from './db/tablet-db.ts';
import { createKitApi } from './net/api.ts';
import { createLiveStream } from './net/stream.ts';
import { createAppState } from './state/app-state.ts';
import { AppContext } from './state/context.ts';
import { watchServiceWorker } from './sw-bridge.ts';
import './app.css';

async function boot(): Promise<void> {
  const db = await TabletDb.open();
  const token = (await db.setting<string>('token')) ?? null;
  const app = createAppState({
    api: createKitApi({ token: () => token }),
    db,
    stream: (handlers) => createLiveStream({ url: '/api/events', ...handlers }),
  });
  render(
    <AppContext.Provider value={app}>
      <App />
    </AppContext.Provider>,
    document.getElementById('app')!,
  );
  await app.start(navigator.storage);
  watchServiceWorker(app);
}

void boot();
