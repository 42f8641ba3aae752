import { render } from 'preact';
import { App } from './app.tsx';
import { ConsoleState } from './state.ts';
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
}

void boot();
