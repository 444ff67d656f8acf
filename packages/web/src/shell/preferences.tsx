/** Theme and language, chosen in the user menu and remembered in localStorage. */
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { changeLanguage, initialLanguage } from '../i18n';
import type { Language } from '../i18n/language';

export type ThemeMode = 'light' | 'dark';
const THEME_KEY = 'jobcenter.theme';

function initialTheme(): ThemeMode {
  try {
    const stored = localStorage.getItem(THEME_KEY);
    if (stored === 'light' || stored === 'dark') return stored;
  } catch {
    // No storage: follow the system.
  }
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

interface Preferences {
  theme: ThemeMode;
  setTheme(theme: ThemeMode): void;
  language: Language;
  setLanguage(language: Language): void;
}

const PreferencesContext = createContext<Preferences | null>(null);

export function PreferencesProvider({ children }: { children: ReactNode }) {
  const [theme, setThemeState] = useState<ThemeMode>(initialTheme);
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  const setTheme = useCallback((next: ThemeMode) => {
    setThemeState(next);
    try {
      localStorage.setItem(THEME_KEY, next);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  }, []);
  const setLanguage = useCallback((next: Language) => {
    setLanguageState(next);
    void changeLanguage(next);
  }, []);
  const value = useMemo(
    () => ({ theme, setTheme, language, setLanguage }),
    [theme, setTheme, language, setLanguage],
  );
  return <PreferencesContext.Provider value={value}>{children}</PreferencesContext.Provider>;
}

export function usePreferences(): Preferences {
  const value = useContext(PreferencesContext);
  if (!value) throw new Error('usePreferences: outside PreferencesProvider');
  return value;
}
