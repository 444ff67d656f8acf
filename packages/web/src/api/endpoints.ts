/** Every API call the console makes, typed. Paths are under `/api/v1`. */
import { http } from './client';
import type {
  AlertChannel,
  AlertMessage,
  AlertStatus,
  ApiToken,
  AuditEntry,
  ChannelInput,
  ChannelTestResult,
  CronFire,
  GroupInput,
  Job,
  JobInput,
  MaintenanceWindow,
  Overview,
  Page,
  Run,
  RunStatus,
  Session,
  Team,
  TeamRole,
  TestTriggerResult,
  TokenInput,
  Trend,
  User,
  UserInput,
  WorkerGroup,
} from './types';

const seg = encodeURIComponent;

export interface JobListQuery {
  q?: string;
  team?: string;
  owner?: string;
  tag?: string;
  status?: 'enabled' | 'paused';
  lastStatus?: RunStatus;
  limit?: number;
  cursor?: string;
}

export interface RunListQuery {
  from?: string;
  to?: string;
  status?: RunStatus[];
  limit?: number;
  cursor?: string;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  team?: string;
  target?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export interface AlertQuery {
  job?: string;
  team?: string;
  kind?: string;
  status?: AlertStatus;
  channel?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export const api = {
  auth: {
    me: () => http.get<Session>('/auth/me', undefined, { quiet401: true }),
    login: (username: string, password: string) =>
      http.post<Session>('/auth/login', { username, password }, { quiet401: true }),
    logout: () => http.post<void>('/auth/logout', undefined, { quiet401: true }),
  },
  jobs: {
    list: (query: JobListQuery) => http.get<Page<Job>>('/jobs', { ...query }),
    get: (job: string) => http.get<Job>(`/jobs/${seg(job)}`),
    create: (input: JobInput) => http.post<Job>('/jobs', input),
    replace: (job: string, input: JobInput) => http.put<Job>(`/jobs/${seg(job)}`, input),
    delete: (job: string) => http.delete(`/jobs/${seg(job)}`),
    pause: (job: string) => http.post<Job>(`/jobs/${seg(job)}/pause`),
    resume: (job: string) => http.post<Job>(`/jobs/${seg(job)}/resume`),
    trigger: (job: string, params?: Record<string, unknown>) =>
      http.post<Run>(`/jobs/${seg(job)}/trigger`, params ? { params } : {}),
    testTrigger: (job: string, input: { member?: string; params?: Record<string, unknown> } = {}) =>
      http.post<TestTriggerResult>(`/jobs/${seg(job)}/test-trigger`, input),
    runs: (job: string, query: RunListQuery) => http.get<Page<Run>>(`/jobs/${seg(job)}/runs`, { ...query }),
    trend: (job: string, from?: string, to?: string) =>
      http.get<Trend>(`/jobs/${seg(job)}/trend`, { from, to }),
  },
  runs: {
    get: (id: string) => http.get<Run>(`/runs/${seg(id)}`),
    cancel: (id: string) => http.post<Run>(`/runs/${seg(id)}/cancel`),
  },
  groups: {
    list: (limit = 500, cursor?: string) => http.get<Page<WorkerGroup>>('/worker-groups', { limit, cursor }),
    get: (name: string) => http.get<WorkerGroup>(`/worker-groups/${seg(name)}`),
    create: (input: GroupInput & { secret?: string }) => http.post<WorkerGroup>('/worker-groups', input),
    replace: (name: string, input: GroupInput) => http.put<WorkerGroup>(`/worker-groups/${seg(name)}`, input),
    delete: (name: string) => http.delete(`/worker-groups/${seg(name)}`),
    revealSecret: (name: string) =>
      http.post<{ secret: string }>(`/worker-groups/${seg(name)}/secret/reveal`),
    rotateSecret: (name: string) =>
      http.post<{ secret: string }>(`/worker-groups/${seg(name)}/secret/rotate`),
  },
  overview: () => http.get<Overview>('/overview'),
  cronPreview: (cron: string, timezone: string, count = 10) =>
    http.post<{ fires: CronFire[] }>('/cron/preview', { cron, timezone, count }),
  users: {
    list: (limit = 500, cursor?: string) => http.get<Page<User>>('/users', { limit, cursor }),
    get: (name: string) => http.get<User>(`/users/${seg(name)}`),
    create: (input: UserInput) => http.post<User>('/users', input),
    /** Profile and flags; a password goes through `setPassword`. */
    update: (name: string, input: Omit<UserInput, 'name' | 'password'> & { disabled?: boolean }) =>
      http.patch<User>(`/users/${seg(name)}`, input),
    setPassword: (name: string, password: string) =>
      http.put<void>(`/users/${seg(name)}/password`, { password }),
  },
  teams: {
    list: (limit = 500, cursor?: string) => http.get<Page<Team>>('/teams', { limit, cursor }),
    get: (name: string) => http.get<Team>(`/teams/${seg(name)}`),
    create: (input: { name: string; description?: string }) => http.post<Team>('/teams', input),
    setMember: (team: string, user: string, role: TeamRole) =>
      http.put<unknown>(`/teams/${seg(team)}/members/${seg(user)}`, { role }),
    removeMember: (team: string, user: string) => http.delete(`/teams/${seg(team)}/members/${seg(user)}`),
    maintenanceWindows: (team: string) =>
      http.get<Page<MaintenanceWindow>>(`/teams/${seg(team)}/maintenance-windows`),
    addMaintenanceWindow: (team: string, input: { startsAt: string; endsAt: string; reason?: string }) =>
      http.post<MaintenanceWindow>(`/teams/${seg(team)}/maintenance-windows`, input),
    removeMaintenanceWindow: (team: string, id: string) =>
      http.delete(`/teams/${seg(team)}/maintenance-windows/${seg(id)}`),
  },
  channels: {
    list: () => http.get<Page<AlertChannel>>('/alert-channels'),
    get: (name: string) => http.get<AlertChannel>(`/alert-channels/${seg(name)}`),
    create: (input: ChannelInput) => http.post<AlertChannel>('/alert-channels', input),
    replace: (name: string, input: ChannelInput) =>
      http.put<AlertChannel>(`/alert-channels/${seg(name)}`, input),
    delete: (name: string) => http.delete(`/alert-channels/${seg(name)}`),
    test: (name: string, recipient?: string) =>
      http.post<ChannelTestResult>(`/alert-channels/${seg(name)}/test`, recipient ? { recipient } : {}),
  },
  alerts: (query: AlertQuery) => http.get<Page<AlertMessage>>('/alerts', { ...query }),
  tokens: {
    list: () => http.get<Page<ApiToken>>('/tokens', { limit: 500 }),
    create: (input: TokenInput) => http.post<ApiToken & { token: string }>('/tokens', input),
    delete: (id: string) => http.delete(`/tokens/${seg(id)}`),
  },
  audit: (query: AuditQuery) => http.get<Page<AuditEntry>>('/audit', { ...query }),
};
