/** Providers around the console: preferences, antd theme and locale, queries, session, router. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, Spin, theme } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { RouterProvider } from 'react-router';
import { ApiError } from './api/client';
import { SessionProvider } from './auth/session';
import { ErrorState } from './common/api-error';
import { router } from './router';
import { PreferencesProvider, usePreferences } from './shell/preferences';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // A 4xx will not change by asking again.
      retry: (count, error) =>
        !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      refetchOnWindowFocus: true,
    },
  },
});

function Themed() {
  const { theme: mode, language } = usePreferences();
  return (
    <ConfigProvider
      locale={language === 'zh-CN' ? zhCN : enUS}
      theme={{ algorithm: mode === 'dark' ? theme.darkAlgorithm : theme.defaultAlgorithm }}
    >
      <AntApp>
        <SessionProvider
          loading={<Spin fullscreen />}
          failed={(error, retry) => (
            <div style={{ maxWidth: 640, margin: '64px auto' }}>
              <ErrorState error={error} retry={retry} />
            </div>
          )}
        >
          <RouterProvider router={router} />
        </SessionProvider>
      </AntApp>
    </ConfigProvider>
  );
}

export function Root() {
  return (
    <QueryClientProvider client={queryClient}>
      <PreferencesProvider>
        <Themed />
      </PreferencesProvider>
    </QueryClientProvider>
  );
}
