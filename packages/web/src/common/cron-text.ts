/** A schedule in words, in the console's language (cronstrue). */
import cronstrue from 'cronstrue';
import 'cronstrue/locales/zh_CN';
import type { Language } from '../i18n/language';

/** `Every 5 minutes` / `每隔 5 分钟`; null when cronstrue cannot read the expression. */
export function cronInWords(cron: string, language: Language): string | null {
  try {
    return cronstrue.toString(cron, {
      locale: language === 'zh-CN' ? 'zh_CN' : 'en',
      use24HourTimeFormat: true,
      verbose: false,
    });
  } catch {
    return null;
  }
}
