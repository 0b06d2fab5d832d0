import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from './cli';

// Runs every study end to end (minutes): `npm run test:long`.
const studiesDir = path.resolve(__dirname, '..', '..', '..', 'studies');
const files = fs.readdirSync(studiesDir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

describe('every study runs end to end, reproducibly', () => {
  it.each(files)('%s writes a complete report', async (file) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-study-'));
    let stderr = '';
    const code = await main(['run', path.join(studiesDir, file), '--out', out], { stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false });
    expect(stderr).not.toMatch(/^error/m);
    expect(code).toBe(0);
    const resolved = JSON.parse(fs.readFileSync(path.join(out, 'study.resolved.json'), 'utf8'));
    expect(resolved.status).toBe('complete');
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('<svg');
    // Same study, same seed, same backend → byte-identical results (threads and timing must not matter).
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'entroscope-study-'));
    expect(await main(['run', path.join(studiesDir, file), '--out', again], { stdout: () => undefined, stderr: () => undefined, isTty: false })).toBe(0);
    const backendOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'study.resolved.json'), 'utf8')).backend.id;
    if (backendOf(again) === backendOf(out)) {
      expect(fs.readFileSync(path.join(again, 'results.jsonl'), 'utf8')).toBe(fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8'));
    }
  }, 1_200_000);
});
