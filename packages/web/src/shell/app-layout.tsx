/** The frame of every page: sider menu, header with the user menu, content. */
import { Layout, Spin, Tag, Typography, theme } from 'antd';
import { Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet } from 'react-router';
import { setUnauthorizedHandler } from '../api/client';
import { useExpireSession, useSession } from '../auth/session';
import { LiveUpdates } from '../live/live-updates';
import { SideMenu } from './side-menu';
import { UserMenu } from './user-menu';

export function AppLayout() {
  const { t } = useTranslation();
  const { session } = useSession();
  const expire = useExpireSession();
  // A laptop screen (1366 px) needs the room for the tables.
  const [collapsed, setCollapsed] = useState(() => window.innerWidth < 1440);
  const { token } = theme.useToken();

  // Any 401 ends the session: RequireSession then sends the user to the login page.
  useEffect(() => {
    setUnauthorizedHandler(expire);
    return () => setUnauthorizedHandler(null);
  }, [expire]);

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider collapsible collapsed={collapsed} onCollapse={setCollapsed} width={208}>
        <Link to="/" style={{ display: 'block', padding: '16px 20px', color: '#fff', whiteSpace: 'nowrap' }}>
          <Typography.Text strong style={{ color: '#fff', fontSize: 18 }}>
            {collapsed ? 'JC' : 'JobCenter'}
          </Typography.Text>
        </Link>
        <SideMenu collapsed={collapsed} />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: token.colorBgContainer,
            padding: '0 16px',
            display: 'flex',
            justifyContent: 'flex-end',
            alignItems: 'center',
            gap: 12,
            borderBottom: `1px solid ${token.colorBorderSecondary}`,
          }}
        >
          {session.kind === 'open' && <Tag color="warning">{t('shell.openModeHint')}</Tag>}
          <UserMenu />
        </Layout.Header>
        <Layout.Content style={{ padding: 12, minWidth: 0 }}>
          <LiveUpdates>
            <Suspense fallback={<Spin style={{ display: 'block', margin: '64px auto' }} />}>
              <Outlet />
            </Suspense>
          </LiveUpdates>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
