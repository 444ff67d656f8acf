// Placeholder until the directory module lands: the shape the login code relies on.
import type { Grant } from '../domain/access.js';
import type { DirectoryConfig } from './directory-config.js';

export interface DirectoryUser {
  dn: string;
  name: string;
  displayName: string | null;
  email: string | null;
  phone: string | null;
  groups: string[];
  grant: Grant;
}

export class DirectoryError extends Error {
  constructor(
    readonly kind: 'invalid_credentials' | 'unavailable' | 'misconfigured',
    message: string,
  ) {
    super(message);
  }
}

export class Directory {
  constructor(readonly config: DirectoryConfig) {}
  async authenticate(_username: string, _password: string): Promise<DirectoryUser> {
    throw new DirectoryError('unavailable', `directory ${this.config.url} is not supported yet`);
  }
}
