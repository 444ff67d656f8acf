/** The header's user menu: language, theme, API tokens, sign out. */
import {
  BulbOutlined,
  DownOutlined,
  KeyOutlined,
  LogoutOutlined,
  TranslationOutlined,
} from '@ant-design/icons';
import { Avatar, Button, Dropdown, type MenuProps, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useSession } from '../auth/session';
import { LANGUAGES } from '../i18n/language';
import { LANGUAGE_NAMES } from './language-switch';
import { usePreferences } from './preferences';

export function UserMenu() {
  const { t } = useTranslation();
  const { session, logout } = useSession();
  const { theme, setTheme, language, setLanguage } = usePreferences();
  const navigate = useNavigate();
  const user = session.kind === 'user' ? session.user : null;
  const items: MenuProps['items'] = [
    {
      key: 'language',
      icon: <TranslationOutlined />,
      label: t('shell.language'),
      children: LANGUAGES.map((l) => ({
        key: `language:${l}`,
        label: `${l === language ? '✓ ' : ''}${LANGUAGE_NAMES[l]}`,
      })),
    },
    {
      key: 'theme',
      icon: <BulbOutlined />,
      label: theme === 'dark' ? t('shell.lightTheme') : t('shell.darkTheme'),
    },
    { key: 'tokens', icon: <KeyOutlined />, label: t('nav.tokens') },
    ...(user
      ? [{ type: 'divider' as const }, { key: 'logout', icon: <LogoutOutlined />, label: t('shell.logout') }]
      : []),
  ];
  const onClick: MenuProps['onClick'] = ({ key }) => {
    if (key.startsWith('language:')) setLanguage(key.slice('language:'.length) as (typeof LANGUAGES)[number]);
    else if (key === 'theme') setTheme(theme === 'dark' ? 'light' : 'dark');
    else if (key === 'tokens') navigate('/admin/tokens');
    else if (key === 'logout') void logout().then(() => navigate('/login'));
  };
  const name = user ? user.displayName || user.name : t('shell.openMode');
  return (
    <Dropdown menu={{ items, onClick }} trigger={['click']}>
      <Button type="text" data-testid="user-menu" aria-label={t('shell.userMenu')}>
        <Space>
          <Avatar size="small" style={{ background: '#1677ff' }}>
            {name.slice(0, 1).toUpperCase()}
          </Avatar>
          <span>{name}</span>
          <DownOutlined />
        </Space>
      </Button>
    </Dropdown>
  );
}
