import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import {
  localeTag,
  plural,
  t,
  type Locale,
  type PluralKey,
  type TextKey,
} from '../../../shared/i18n/i18n.ts';
import type { AppState } from './app-state.ts';
import { useCell } from './cell.ts';

/** The app state, passed down by context so tests can render screens with their own. */
export const AppContext = createContext<AppState | null>(null);

/** The app state of the nearest provider. */
export function useApp(): AppState {
  const app = useContext(AppContext);
  if (!app) throw new Error('useApp outside <AppContext.Provider>');
  return app;
}

/** Words in the current locale, re-rendering when the user switches language. */
export interface Words {
  readonly locale: Locale;
  readonly tag: string;
  t(key: TextKey, vars?: Readonly<Record<string, string | number>>): string;
  n(key: PluralKey, count: number): string;
}

/** The current locale's catalogue. */
export function useWords(): Words {
  const locale = useCell(useApp().locale);
  return {
    locale,
    tag: localeTag(locale),
    t: (key, vars) => t(locale, key, vars),
    n: (key, count) => plural(locale, key, count),
  };
}
