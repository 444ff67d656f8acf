import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ChannelConfigError, type ChannelType, parseChannelSettings } from '../../alerts/channel.js';
import { buildChannel } from '../../alerts/outbox-sender.js';
import { renderAlert } from '../../alerts/render.js';
import { checkName } from '../../auth/accounts.js';
import { iso } from '../../clock.js';
import { ApiError, invalid } from '../../errors.js';
import { newId } from '../../ids.js';
import type { AlertMessage, StoredChannel } from '../../store/alerts-repo.js';
import type { ApiContext } from '../context.js';
import { callerOf, requireAdmin, requireTeam, visibleTeams } from '../guard.js';
import { ErrorBody, ListQuery, listOf, StringEnum } from '../schemas.js';
import { parseTime } from './jobs.js';

const CHANNEL_TYPES = ['email', 'sms', 'dingtalk', 'feishu', 'wecom', 'slack', 'webhook'] as const;
const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const NameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }) });

const ChannelView = Type.Object({
  name: Type.String(),
  type: StringEnum(CHANNEL_TYPES),
  config: Type.Record(Type.String(), Type.Unknown()),
  /** Which secret settings are set; never their values. */
  secretSet: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  default: Type.Boolean({
    description: 'The channel email:/sms: recipients and users go through, for its type',
  }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const ChannelInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    type: StringEnum(CHANNEL_TYPES),
    config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    secret: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'Credentials; on PUT, leave out to keep the stored ones',
      }),
    ),
    enabled: Type.Optional(Type.Boolean()),
    default: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const MessageView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  jobId: Type.Union([Type.String(), Type.Null()]),
  job: Type.Union([Type.String(), Type.Null()]),
  team: Type.Union([Type.String(), Type.Null()]),
  runId: Type.Union([Type.String(), Type.Null()]),
  channel: Type.String(),
  recipient: Type.String(),
  subject: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  sentAt: Type.Union([Type.String(), Type.Null()]),
});

const WindowView = Type.Object({
  id: Type.String(),
  team: Type.String(),
  startsAt: Type.String(),
  endsAt: Type.String(),
  reason: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
});

function channelView(c: StoredChannel) {
  return {
    name: c.name,
    type: c.type as ChannelType,
    config: c.config,
    secretSet: Object.keys(c.secret).sort(),
    enabled: c.enabled,
    default: c.isDefault,
    createdAt: iso(c.createdAt) as string,
    updatedAt: iso(c.updatedAt) as string,
  };
}

function messageView(m: AlertMessage) {
  let subject = '';
  try {
    subject = String((JSON.parse(m.content) as { subject?: unknown }).subject ?? '');
  } catch {}
  return {
    id: m.id,
    kind: m.kind,
    jobId: m.jobId,
    job: m.job,
    team: m.team,
    runId: m.runId,
    channel: m.channel,
    recipient: m.recipient,
    subject,
    status: m.status,
    attempts: m.attempts,
    nextAttemptAt: iso(m.nextAttemptAt),
    lastError: m.lastError,
    createdAt: iso(m.createdAt) as string,
    sentAt: iso(m.sentAt),
  };
}

/** Checks and normalises a channel's settings; errors name the field. */
function settings(type: ChannelType, config: unknown, secret: unknown) {
  try {
    return parseChannelSettings(type, config ?? {}, secret ?? {});
  } catch (err) {
    // The message already starts with the field: "config.port: must be an integer from 1 to 65535".
    if (err instanceof ChannelConfigError) throw new ApiError('validation_error', err.message, err.field);
    throw err;
  }
}

export const alertRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/alert-channels',
      {
        schema: {
          tags: ['alerts'],
          summary: 'Alert channels (their credentials never appear)',
          response: { 200: Type.Object({ items: Type.Array(ChannelView), nextCursor: Type.Null() }) },
        },
      },
      async () => ({ items: (await ctx.store.alerts.listChannels()).map(channelView), nextCursor: null }),
    );

    app.post(
      '/alert-channels',
      {
        schema: {
          tags: ['alerts'],
          summary: 'Create a channel (admins)',
          body: ChannelInput,
          response: { 201: ChannelView, ...errors },
        },
      },
      async (request, reply) => {
        const caller = requireAdmin(request, 'creating an alert channel');
        const body = request.body;
        checkName('name', body.name);
        const parsed = settings(body.type, body.config, body.secret);
        const now = ctx.clock.now();
        const channel: StoredChannel = {
          name: body.name,
          type: body.type,
          config: parsed.config,
          secret: parsed.secret,
          enabled: body.enabled ?? true,
          isDefault: body.default ?? false,
          createdAt: now,
          updatedAt: now,
        };
        if ((await ctx.store.alerts.saveChannel(channel, true)) === 'exists') {
          throw new ApiError('duplicate_name', `an alert channel named ${body.name} exists`, 'name');
        }
        await ctx.audit.record(
          caller.actor,
          'channel.create',
          { type: 'channel', name: body.name, team: null },
          {
            after: channelView(channel),
          },
        );
        return reply.status(201).send(channelView(channel));
      },
    );

    app.get(
      '/alert-channels/:name',
      {
        schema: {
          tags: ['alerts'],
          summary: 'One channel',
          params: NameParam,
          response: { 200: ChannelView, 404: ErrorBody },
        },
      },
      async (request) => {
        const channel = await ctx.store.alerts.findChannel(request.params.name);
        if (!channel) throw new ApiError('not_found', `no alert channel named ${request.params.name}`);
        return channelView(channel);
      },
    );

    app.put(
      '/alert-channels/:name',
      {
        schema: {
          tags: ['alerts'],
          summary: 'Replace a channel (admins); credentials left out are kept',
          params: NameParam,
          body: ChannelInput,
          response: { 200: ChannelView, ...errors },
        },
      },
      async (request) => {
        const caller = requireAdmin(request, 'changing an alert channel');
        const before = await ctx.store.alerts.findChannel(request.params.name);
        if (!before) throw new ApiError('not_found', `no alert channel named ${request.params.name}`);
        const body = request.body;
        if (body.name !== before.name)
          throw invalid('name', 'a channel keeps its name: create a new one instead');
        // Credentials left out are kept: an edit that changes one does not erase the others.
        const parsed = settings(body.type, body.config, { ...before.secret, ...(body.secret ?? {}) });
        const channel: StoredChannel = {
          ...before,
          type: body.type,
          config: parsed.config,
          secret: parsed.secret,
          enabled: body.enabled ?? before.enabled,
          isDefault: body.default ?? before.isDefault,
          updatedAt: Math.max(ctx.clock.now(), before.updatedAt + 1),
        };
        await ctx.store.alerts.saveChannel(channel, false);
        await ctx.audit.record(
          caller.actor,
          'channel.update',
          { type: 'channel', name: channel.name, team: null },
          {
            before: channelView(before),
            after: channelView(channel),
            secretChanged: body.secret !== undefined,
          },
        );
        return channelView(channel);
      },
    );

    app.delete(
      '/alert-channels/:name',
      {
        schema: {
          tags: ['alerts'],
          summary: 'Delete a channel (admins)',
          params: NameParam,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        const caller = requireAdmin(request, 'deleting an alert channel');
        if (!(await ctx.store.alerts.deleteChannel(request.params.name))) {
          throw new ApiError('not_found', `no alert channel named ${request.params.name}`);
        }
        await ctx.audit.record(caller.actor, 'channel.delete', {
          type: 'channel',
          name: request.params.name,
          team: null,
        });
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/alert-channels/:name/test',
      {
        schema: {
          tags: ['alerts'],
          summary: 'Send a test message through the channel now (admins); answers what happened',
          params: NameParam,
          body: Type.Optional(
            Type.Object(
              {
                recipient: Type.Optional(
                  Type.String({ maxLength: 320, description: 'Email address or phone number' }),
                ),
              },
              { additionalProperties: false },
            ),
          ),
          response: {
            200: Type.Object({
              ok: Type.Boolean(),
              error: Type.Union([Type.String(), Type.Null()]),
              latencyMs: Type.Number(),
            }),
            ...errors,
          },
        },
        preValidation: async (request) => {
          if (request.body === undefined || request.body === null) request.body = {};
        },
      },
      async (request) => {
        const caller = requireAdmin(request, 'testing an alert channel');
        const stored = await ctx.store.alerts.findChannel(request.params.name);
        if (!stored) throw new ApiError('not_found', `no alert channel named ${request.params.name}`);
        const recipient = request.body?.recipient ?? '';
        if ((stored.type === 'email' || stored.type === 'sms') && recipient === '') {
          throw invalid('recipient', `a ${stored.type} channel needs a recipient to test with`);
        }
        const content = renderAlert(
          {
            kind: 'test',
            job: 'jobcenter.test',
            team: null,
            owner: caller.user.name,
            scheduledAt: ctx.clock.now(),
            status: null,
            durationMs: null,
            message: `A test message from JobCenter, sent by ${caller.user.name}.`,
            member: null,
            runId: null,
            link: null,
          },
          ctx.alertLanguage,
          ctx.alertTemplatesDir,
        );
        const channel = buildChannel(stored, ctx.alertSendTimeoutMs);
        const started = performance.now();
        let error: string | null = null;
        try {
          await channel.send(content, recipient, AbortSignal.timeout(ctx.alertSendTimeoutMs));
        } catch (err) {
          error = err instanceof Error ? err.message : String(err);
        } finally {
          await channel.close().catch(() => undefined);
        }
        await ctx.audit.record(
          caller.actor,
          'channel.test',
          { type: 'channel', name: stored.name, team: null },
          {
            recipient,
            ok: error === null,
          },
        );
        return { ok: error === null, error, latencyMs: Math.round(performance.now() - started) };
      },
    );

    app.get(
      '/alerts',
      {
        schema: {
          tags: ['alerts'],
          summary: "Alert messages, newest first: what was sent, to whom, how it went (your teams' only)",
          querystring: Type.Object({
            job: Type.Optional(Type.String({ maxLength: 128 })),
            team: Type.Optional(Type.String({ maxLength: 128 })),
            kind: Type.Optional(Type.String({ maxLength: 16 })),
            status: Type.Optional(StringEnum(['pending', 'sent', 'failed'] as const)),
            channel: Type.Optional(Type.String({ maxLength: 128 })),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            ...ListQuery,
          }),
          response: { 200: listOf(MessageView), 400: ErrorBody },
        },
      },
      async (request) => {
        const { job, team, kind, status, channel, from, to, limit = 50, cursor } = request.query;
        const jobId = job === undefined ? undefined : ((await ctx.store.jobs.find(job))?.id ?? job);
        const page = await ctx.store.alerts.listMessages(
          {
            jobId,
            team,
            kind,
            status,
            channel,
            from: parseTime(from, 'from'),
            to: parseTime(to, 'to'),
            teams: visibleTeams(request),
          },
          limit,
          cursor,
        );
        if (page === 'bad_cursor')
          throw new ApiError('invalid_cursor', 'cursor: not a cursor of this list', 'cursor');
        return { items: page.messages.map(messageView), nextCursor: page.nextCursor };
      },
    );

    const TeamParam = Type.Object({ team: Type.String({ minLength: 1, maxLength: 128 }) });
    const hiddenTeam = (team: string) => () => new ApiError('team_not_found', `no team named "${team}"`);

    app.get(
      '/teams/:team/maintenance-windows',
      {
        schema: {
          tags: ['alerts'],
          summary:
            "A team's current and coming maintenance windows (alerts of its jobs stay quiet during one)",
          params: TeamParam,
          response: {
            200: Type.Object({ items: Type.Array(WindowView), nextCursor: Type.Null() }),
            404: ErrorBody,
          },
        },
      },
      async (request) => {
        const { team } = request.params;
        requireTeam(request, team, 'read', 'reading maintenance windows', hiddenTeam(team));
        const windows = await ctx.store.alerts.listWindows([team], ctx.clock.now());
        return {
          items: windows.map((w) => ({
            ...w,
            startsAt: iso(w.startsAt) as string,
            endsAt: iso(w.endsAt) as string,
          })),
          nextCursor: null,
        };
      },
    );

    app.post(
      '/teams/:team/maintenance-windows',
      {
        schema: {
          tags: ['alerts'],
          summary: 'Add a maintenance window (operators)',
          params: TeamParam,
          body: Type.Object(
            {
              startsAt: Type.String({ format: 'date-time' }),
              endsAt: Type.String({ format: 'date-time' }),
              reason: Type.Optional(Type.String({ maxLength: 1000 })),
            },
            { additionalProperties: false },
          ),
          response: { 201: WindowView, ...errors },
        },
      },
      async (request, reply) => {
        const { team } = request.params;
        const caller = requireTeam(request, team, 'operate', 'adding a maintenance window', hiddenTeam(team));
        const startsAt = parseTime(request.body.startsAt, 'startsAt') as number;
        const endsAt = parseTime(request.body.endsAt, 'endsAt') as number;
        if (endsAt <= startsAt) throw invalid('endsAt', 'must be after startsAt');
        const now = ctx.clock.now();
        const w = {
          id: newId(now),
          team,
          startsAt,
          endsAt,
          reason: request.body.reason ?? '',
          createdBy: callerOf(request).user.name,
          createdAt: now,
        };
        await ctx.store.alerts.insertWindow(w);
        await ctx.audit.record(
          caller.actor,
          'team.maintenance_add',
          { type: 'team', name: team, team },
          {
            startsAt: request.body.startsAt,
            endsAt: request.body.endsAt,
            reason: w.reason,
          },
        );
        return reply
          .status(201)
          .send({ ...w, startsAt: iso(startsAt) as string, endsAt: iso(endsAt) as string });
      },
    );

    app.delete(
      '/teams/:team/maintenance-windows/:id',
      {
        schema: {
          tags: ['alerts'],
          summary: 'Remove a maintenance window (operators)',
          params: Type.Object({ team: Type.String({ maxLength: 128 }), id: Type.String({ maxLength: 64 }) }),
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        const { team, id } = request.params;
        const caller = requireTeam(
          request,
          team,
          'operate',
          'removing a maintenance window',
          hiddenTeam(team),
        );
        const w = await ctx.store.alerts.findWindow(id);
        if (!w || w.team !== team)
          throw new ApiError('not_found', `no maintenance window ${id} in team ${team}`);
        await ctx.store.alerts.deleteWindow(id);
        await ctx.audit.record(
          caller.actor,
          'team.maintenance_remove',
          { type: 'team', name: team, team },
          { id },
        );
        return reply.status(204).send(null);
      },
    );
  };
