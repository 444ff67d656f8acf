/**
 * `jobcenter user …` and `jobcenter token …`: manage accounts on the store
 * directly, e.g. to create the first admin or recover a locked-out one.
 * Secrets go to stdout alone on their line, so scripts can capture them.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { tokenStatus } from '../api/account-views.js';
import { type Grant, isTeamRole } from '../domain/access.js';
import { ApiError } from '../errors.js';
import { type StoreFlags, withStore, withStoreFlags } from './store-access.js';

/** An error the CLI prints as `jobcenter: …` with exit code 2. */
export class UsageError extends Error {}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** The password from stdin (`--password-stdin`), or a new random one that is printed. */
async function passwordFrom(flags: {
  passwordStdin?: boolean;
}): Promise<{ password: string; generated: boolean }> {
  if (flags.passwordStdin) return { password: await readStdinLine(), generated: false };
  return { password: randomBytes(15).toString('base64url'), generated: true };
}

/** `30d`, `12h`, `90m` → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([dhm])$/.exec(text.trim());
  if (!match) throw new UsageError(`--expires-in: expected a number and d, h or m (e.g. 30d), got "${text}"`);
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as 'd' | 'h' | 'm'];
  return Number(match[1]) * unit;
}

/** `admin`, or `team:role,team:role` → a token scope. */
export function parseScope(text: string): Grant {
  if (text.trim() === 'admin') return { admin: true, teams: [] };
  const teams = text.split(',').map((part) => {
    const [team, role] = part.trim().split(':');
    if (!team || !isTeamRole(role)) {
      throw new UsageError(
        `--scope: expected "admin" or team:role[,team:role] with roles viewer|operator|editor|owner, got "${part}"`,
      );
    }
    return { team, role };
  });
  return { admin: false, teams };
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return `${rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** Turns API errors (validation, duplicates) into usage errors with the same message. */
async function run(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (err instanceof ApiError) throw new UsageError(err.message);
    throw err;
  }
}

export function registerAccountCommands(program: Command): void {
  const user = program.command('user').description('manage users (works on the database directly)');

  withStoreFlags(
    user
      .command('add <name>')
      .description('create a local user; prints a generated password unless --password-stdin')
      .option('--admin', 'make the user an admin')
      .option('--password-stdin', 'read the password from the first line of stdin')
      .option('--display-name <text>', 'display name')
      .option('--email <address>', 'email (alert recipient)')
      .option('--phone <number>', 'phone (alert recipient by SMS)'),
  ).action(
    (
      name: string,
      flags: StoreFlags & {
        admin?: boolean;
        passwordStdin?: boolean;
        displayName?: string;
        email?: string;
        phone?: string;
      },
    ) =>
      run(() =>
        withStore(flags, async ({ accounts, audit, actor }) => {
          const { password, generated } = await passwordFrom(flags);
          const created = await accounts.createUser({
            name,
            password,
            admin: flags.admin ?? false,
            displayName: flags.displayName,
            email: flags.email,
            phone: flags.phone,
          });
          await audit.record(
            actor,
            'user.create',
            { type: 'user', name, team: null },
            { admin: created.admin },
          );
          process.stderr.write(`created ${created.admin ? 'admin ' : ''}user ${name}\n`);
          if (generated) process.stdout.write(`${password}\n`);
        }),
      ),
  );

  withStoreFlags(
    user
      .command('passwd <name>')
      .description(
        "set a local user's password; prints a generated one unless --password-stdin; ends the user's sessions",
      )
      .option('--password-stdin', 'read the password from the first line of stdin'),
  ).action((name: string, flags: StoreFlags & { passwordStdin?: boolean }) =>
    run(() =>
      withStore(flags, async ({ accounts, audit, actor }) => {
        const found = await accounts.getUser(name);
        const { password, generated } = await passwordFrom(flags);
        await accounts.setPassword(found, password);
        await audit.record(actor, 'user.password', { type: 'user', name, team: null });
        process.stderr.write(`password of ${name} set\n`);
        if (generated) process.stdout.write(`${password}\n`);
      }),
    ),
  );

  for (const [command, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    withStoreFlags(
      user
        .command(`${command} <name>`)
        .description(
          disabled ? 'disable a user: sessions end, tokens stop working' : 'enable a disabled user',
        ),
    ).action((name: string, flags: StoreFlags) =>
      run(() =>
        withStore(flags, async ({ accounts, audit, actor }) => {
          const found = await accounts.getUser(name);
          await accounts.setDisabled(found, disabled);
          await audit.record(actor, 'user.update', { type: 'user', name, team: null }, { disabled });
          process.stderr.write(`${name} ${disabled ? 'disabled' : 'enabled'}\n`);
        }),
      ),
    );
  }

  withStoreFlags(user.command('list').description('list users')).action((flags: StoreFlags) =>
    withStore(flags, async ({ store }) => {
      const rows = [['NAME', 'SOURCE', 'ADMIN', 'DISABLED', 'EMAIL', 'LAST LOGIN']];
      let cursor: string | undefined;
      do {
        const page = await store.users.list(500, cursor);
        if (page === 'bad_cursor') break;
        for (const u of page.users) {
          rows.push([
            u.name,
            u.source,
            u.admin || u.directoryAdmin ? 'yes' : 'no',
            u.disabled ? 'yes' : 'no',
            u.email ?? '-',
            when(u.lastLoginAt),
          ]);
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      process.stdout.write(table(rows));
    }),
  );

  const token = program.command('token').description('manage API tokens (works on the database directly)');

  withStoreFlags(
    token
      .command('create')
      .description('create an API token for a user; prints the token (only now)')
      .requiredOption('--user <name>', 'the user the token acts for')
      .requiredOption('--name <name>', 'what the token is for')
      .option('--scope <scope>', '"admin" or team:role[,team:role]; default: the user\'s own rights')
      .option('--expires-in <duration>', 'e.g. 90d, 12h; default: never'),
  ).action((flags: StoreFlags & { user: string; name: string; scope?: string; expiresIn?: string }) =>
    run(() =>
      withStore(flags, async ({ accounts, audit, actor }) => {
        const owner = await accounts.getUser(flags.user);
        const scope = flags.scope === undefined ? null : parseScope(flags.scope);
        const expiresAt = flags.expiresIn === undefined ? null : Date.now() + parseDuration(flags.expiresIn);
        const created = await accounts.createToken(owner, { name: flags.name, scope, expiresAt });
        await audit.record(
          actor,
          'token.create',
          { type: 'token', name: created.record.id, team: null },
          {
            user: owner.name,
            name: flags.name,
            scope,
          },
        );
        process.stderr.write(`created token ${created.record.id} for ${owner.name}\n`);
        process.stdout.write(`${created.token}\n`);
      }),
    ),
  );

  withStoreFlags(
    token.command('revoke <id>').description('revoke an API token: it stops working at once'),
  ).action((id: string, flags: StoreFlags) =>
    run(() =>
      withStore(flags, async ({ store, audit, actor }) => {
        const found = await store.tokens.find(id);
        if (!found) throw new UsageError(`no API token with id ${id} (see jobcenter token list)`);
        await store.tokens.revoke(id, Date.now());
        await audit.record(
          actor,
          'token.revoke',
          { type: 'token', name: id, team: null },
          { name: found.name },
        );
        process.stderr.write(`revoked token ${id} (${found.name})\n`);
      }),
    ),
  );

  withStoreFlags(
    token
      .command('list')
      .description('list API tokens (never their values)')
      .option('--user <name>', "only this user's"),
  ).action((flags: StoreFlags & { user?: string }) =>
    run(() =>
      withStore(flags, async ({ store, accounts }) => {
        const owner = flags.user === undefined ? null : await accounts.getUser(flags.user);
        const tokens = await store.tokens.list(owner?.id ?? null);
        const names = new Map<string, string>();
        for (const t of tokens)
          if (!names.has(t.userId)) names.set(t.userId, (await store.users.find(t.userId))?.name ?? '?');
        const now = Date.now();
        const rows = [['ID', 'USER', 'NAME', 'STATUS', 'SCOPE', 'EXPIRES', 'LAST USED']];
        for (const t of tokens) {
          const scope =
            t.scope === null
              ? 'user'
              : t.scope.admin
                ? 'admin'
                : t.scope.teams.map((s) => `${s.team}:${s.role}`).join(',');
          rows.push([
            t.id,
            names.get(t.userId) ?? '?',
            t.name,
            tokenStatus(t, now),
            scope,
            when(t.expiresAt),
            when(t.lastUsedAt),
          ]);
        }
        process.stdout.write(table(rows));
      }),
    ),
  );
}
