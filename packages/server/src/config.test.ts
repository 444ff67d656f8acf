import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, loadConfig, resolvePublicUrl } from './config.js';

describe('config', () => {
  it('has documented defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      dataDir: './data',
      databaseUrl: undefined,
    });
    expect(config.leaseTtlMs).toBe(DEFAULTS.leaseTtlMs);
    expect(config).toMatchObject({
      memberExpiryMs: 30_000,
      memberRefreshMs: 5_000,
      memberFailureThreshold: 3,
      memberProbeTimeoutMs: 2_000,
    });
    expect(resolvePublicUrl(config, 8080)).toBe('http://127.0.0.1:8080');
    expect(resolvePublicUrl({ ...config, host: '0.0.0.0' }, 9000)).toBe('http://localhost:9000');
  });

  it('applies file < environment < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jc-config-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ port: 1000, leaseTtlMs: 9000, reportLimits: { maxLogBytes: 10 } }));
    const config = loadConfig({
      file,
      env: { JOBCENTER_PORT: '2000', JOBCENTER_PUBLIC_URL: 'http://jc.example:80/' },
      flags: { port: '3000' },
    });
    expect(config.port).toBe(3000);
    expect(config.leaseTtlMs).toBe(9000);
    expect(config.reportLimits.maxLogBytes).toBe(10);
    expect(config.reportLimits.maxOutputBytes).toBe(DEFAULTS.reportLimits.maxOutputBytes);
    expect(config.publicUrl).toBe('http://jc.example:80');
  });

  it('names the bad key and its source', () => {
    expect(() => loadConfig({ env: { JOBCENTER_PORT: '99999' } })).toThrow(
      /environment: port must be a port/,
    );
    expect(() => loadConfig({ env: {}, flags: { port: 'x' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { JOBCENTER_LOG_LEVEL: 'loud' } })).toThrow(/logLevel must be one of/);
    expect(() => loadConfig({ env: {}, overrides: { leaseRenewMs: 5000, leaseTtlMs: 5000 } })).toThrow(
      /leaseRenewMs/,
    );
    expect(() => loadConfig({ env: {}, overrides: { monitorIntervalMs: 0 } })).toThrow(/at least 1 ms/);
    expect(() => loadConfig({ env: {}, overrides: { connectionsPerMember: 0 } })).toThrow(
      /connectionsPerMember must be at least 1/,
    );
    expect(() => loadConfig({ env: {}, overrides: { memberFailureThreshold: 0 } })).toThrow(
      /memberFailureThreshold must be at least 1/,
    );
  });

  it('takes retention limits as positive integers or null, and bounds the batch size', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      retentionDays: 90,
      retentionCount: null,
      retentionIntervalMs: 60_000,
      retentionBatchSize: 500,
    });
    expect(loadConfig({ env: {}, overrides: { retentionDays: null, retentionCount: 1000 } })).toMatchObject({
      retentionDays: null,
      retentionCount: 1000,
    });
    expect(() => loadConfig({ env: {}, overrides: { retentionDays: 0 } })).toThrow(
      /retentionDays must be at least 1, or null for no limit/,
    );
    expect(() => loadConfig({ env: {}, overrides: { retentionCount: 1.5 } })).toThrow(
      /retentionCount must be/,
    );
    expect(() => loadConfig({ env: {}, overrides: { retentionDays: 36_501 } })).toThrow(
      /retentionDays must be at most 36500/,
    );
    expect(() => loadConfig({ env: {}, overrides: { retentionBatchSize: 0 } })).toThrow(/at least 1/);
    expect(() => loadConfig({ env: {}, overrides: { retentionBatchSize: 10_001 } })).toThrow(
      /retentionBatchSize must be at most 10000/,
    );
    expect(() => loadConfig({ env: {}, overrides: { retentionIntervalMs: 0 } })).toThrow(/at least 1 ms/);
  });
});
