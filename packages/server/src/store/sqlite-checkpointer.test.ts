import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/wait.js';
import { openDatabase } from './database.js';

describe('SQLite background checkpoint', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('copies committed writes into the database file without the main connection checkpointing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jc-checkpoint-'));
    dirs.push(dir);
    const open = openDatabase({ dataDir: dir });
    const raw = open.sqlite;
    if (!raw) throw new Error('expected SQLite');
    try {
      raw.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB)');
      const insert = raw.prepare('INSERT INTO blobs (data) VALUES (?)');
      // 8 MB: far below the main connection's own auto-checkpoint (16,384 pages, 64 MB).
      raw.transaction(() => {
        for (let i = 0; i < 2048; i++) insert.run(Buffer.alloc(4096, i % 256));
      })();
      const file = join(dir, 'jobcenter.db');
      expect(statSync(`${file}-wal`).size).toBeGreaterThan(8_000_000);
      await waitFor(() => statSync(file).size > 8_000_000, 'the database file to receive the WAL');
    } finally {
      await open.close();
    }
  });
});
