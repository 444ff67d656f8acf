import type { BrowserContext, Page } from 'playwright-core';

export declare const CHROMIUM_PATH: string;
export declare const CHROMIUM_ARGS: string[];
export declare function chromiumInstalled(): boolean;
export interface LaunchOptions {
  viewport?: { width: number; height: number };
  locale?: string;
  colorScheme?: 'light' | 'dark';
}
export interface LaunchedChromium {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}
export declare function launchChromium(options?: LaunchOptions): Promise<LaunchedChromium>;
