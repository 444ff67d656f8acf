// Placeholder until the directory module lands: the shape the login code relies on.

import { ConfigError } from '../config.js';
import type { TeamRole } from '../domain/access.js';

export interface DirectoryConfig {
  url: string;
  groups: Array<{ group: string; admin?: true; team?: string; role?: TeamRole }>;
}

export function parseDirectoryConfig(value: unknown, source: string): DirectoryConfig {
  throw new ConfigError(`${source}: directory is not supported yet (${typeof value})`);
}
