import { render } from 'preact';
import { App } from './app.tsx';
import { ConsoleState } from './state.ts';
import { workerUpdate } from './sw-update.ts';
import { ConsoleContext } from './use-console.ts';
import './app.css';

async function boot(): Promise<void> {
  const params = new URLSearchParams(location.search);
  // Deadlines per priority are configurable: ?deadlines=urgent=30m,routine=24h
  const state = new ConsoleState({ deadlines: params.get('deadlines') });
  render(
    <ConsoleContext.Provider value={state}>
      <App />
    </ConsoleContext.Provider>,
    document.getElementById('app')!,
  );
  await state.start();
  // The offline shell (sw/sw.ts): the console opens, unlocks and shows its last queue without the hub.
  // A newer version is offered once installed (sw-update.ts), not only after every tab is closed.
  if ('serviceWorker' in navigator)
    workerUpdate.watch().catch((e: unknown) => console.warn('service worker:', e));
}

void boot();
