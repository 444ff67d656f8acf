import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, type Language } from '../i18n/language';
import { usePreferences } from './preferences';

export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', 'zh-CN': '简体中文' };

export function LanguageSwitch() {
  const { language, setLanguage } = usePreferences();
  const { t } = useTranslation();
  return (
    <Select<Language>
      size="small"
      value={language}
      onChange={setLanguage}
      aria-label={t('shell.language')}
      data-testid="language-switch"
      options={LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))}
      style={{ width: 110 }}
    />
  );
}
