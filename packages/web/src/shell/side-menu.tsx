/** The sider: Overview, Jobs, Worker groups, Alerts, Administration. */
import {
  AlertOutlined,
  ApiOutlined,
  AuditOutlined,
  BellOutlined,
  ClusterOutlined,
  DashboardOutlined,
  KeyOutlined,
  ScheduleOutlined,
  SettingOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Menu, type MenuProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { isAdmin } from '../auth/permissions';
import { useSession } from '../auth/session';

/** The menu entry a URL belongs to: `/jobs/x/edit` → `/jobs`. */
export function menuKeyOf(pathname: string): string {
  if (pathname === '/') return '/';
  const parts = pathname.split('/').filter(Boolean);
  if (parts[0] === 'admin' && parts[1]) return `/admin/${parts[1]}`;
  if (parts[0] === 'runs') return '/jobs';
  return `/${parts[0] ?? ''}`;
}

/** `collapsed`: the sider shows icons only; an open submenu would then float over the page. */
export function SideMenu({ collapsed }: { collapsed: boolean }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const { session } = useSession();
  const admin = isAdmin(session);
  const items: MenuProps['items'] = [
    { key: '/', icon: <DashboardOutlined />, label: t('nav.overview') },
    { key: '/jobs', icon: <ScheduleOutlined />, label: t('nav.jobs') },
    { key: '/worker-groups', icon: <ClusterOutlined />, label: t('nav.workerGroups') },
    { key: '/alerts', icon: <BellOutlined />, label: t('nav.alerts') },
    {
      key: 'admin',
      icon: <SettingOutlined />,
      label: t('nav.administration'),
      children: [
        ...(admin ? [{ key: '/admin/users', icon: <UserOutlined />, label: t('nav.users') }] : []),
        { key: '/admin/teams', icon: <TeamOutlined />, label: t('nav.teams') },
        { key: '/admin/tokens', icon: <KeyOutlined />, label: t('nav.tokens') },
        { key: '/admin/audit', icon: <AuditOutlined />, label: t('nav.audit') },
        { key: '/admin/alert-channels', icon: <AlertOutlined />, label: t('nav.alertChannels') },
      ],
    },
    { key: '/api/docs', icon: <ApiOutlined />, label: t('nav.apiDocs') },
  ];
  return (
    <Menu
      theme="dark"
      mode="inline"
      selectedKeys={[menuKeyOf(location.pathname)]}
      defaultOpenKeys={!collapsed && location.pathname.startsWith('/admin') ? ['admin'] : []}
      items={items}
      onClick={({ key }) => {
        if (key === '/api/docs') window.open('/api/docs', '_blank', 'noopener');
        else navigate(key);
      }}
      data-testid="side-menu"
    />
  );
}
