import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertSafeKey, type ObjectStorage, type StoredObject } from './object-storage.ts';

/**
 * Objects as files under one folder. Writes go to a temporary name and are renamed into place, so a reader (or a
 * crash) never sees half an object — the same all-or-nothing visibility S3 gives.
 */
export class LocalStorage implements ObjectStorage {
  readonly kind = 'local' as const;

  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    assertSafeKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async put(key: string, body: Buffer): Promise<void> {
    const target = this.pathOf(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
    await fs.writeFile(temporary, body);
    await fs.rename(temporary, target);
  }

  async putStream(key: string, body: Readable): Promise<void> {
    const target = this.pathOf(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
    try {
      await pipeline(body, createWriteStream(temporary));
      await fs.rename(temporary, target);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(this.pathOf(key));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async getStream(key: string): Promise<{ body: Readable; sizeBytes: number } | undefined> {
    const file = this.pathOf(key);
    try {
      const stat = await fs.stat(file);
      if (!stat.isFile()) return undefined;
      return { body: createReadStream(file), sizeBytes: stat.size };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    // List the deepest folder the prefix names, then filter: prefixes need not end at a folder boundary.
    const folderKey = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const folder = folderKey ? this.pathOf(folderKey) : this.root;
    const objects: StoredObject[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isMissing(error)) return;
        throw error;
      }
      for (const entry of entries) {
        const key = keyPrefix ? `${keyPrefix}/${entry.name}` : entry.name;
        if (entry.isDirectory()) await walk(path.join(dir, entry.name), key);
        else if (entry.isFile() && !entry.name.endsWith('.partial') && key.startsWith(prefix)) {
          objects.push({ key, sizeBytes: (await fs.stat(path.join(dir, entry.name))).size });
        }
      }
    };
    await walk(folder, folderKey);
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async deleteMany(keys: string[]): Promise<void> {
    const folders = new Set<string>();
    for (const key of keys) {
      const file = this.pathOf(key);
      await fs.rm(file, { force: true });
      // Leftovers of writes a crash interrupted belong to the same object and go with it.
      const base = path.basename(file);
      for (const stray of await fs.readdir(path.dirname(file)).catch(() => [] as string[])) {
        if (stray.startsWith(`${base}.`) && stray.endsWith('.partial')) await fs.rm(path.join(path.dirname(file), stray), { force: true });
      }
      folders.add(path.dirname(file));
    }
    // Remove folders left empty, deepest first, so deleted sessions leave no trace on disk.
    for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
      let current = folder;
      while (current.startsWith(this.root + path.sep)) {
        try {
          await fs.rmdir(current);
        } catch {
          break;
        }
        current = path.dirname(current);
      }
    }
  }

  async presignGet(): Promise<undefined> {
    return undefined;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
