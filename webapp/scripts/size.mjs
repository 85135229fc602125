// Prints the gzipped size of the production bundle and fails when it exceeds the budget,
// so a heavy dependency is noticed in review rather than by users on slow links.
import {readFileSync} from 'node:fs';
import {gzipSync} from 'node:zlib';

const BUDGET = 50 * 1024;
const file = new URL('../dist/main.js', import.meta.url);

let raw;
try {
    raw = readFileSync(file);
} catch {
    console.error('dist/main.js not found: run `npm run build` first');
    process.exit(1);
}
const gzipped = gzipSync(raw, {level: 9}).length;
console.log(`dist/main.js: ${raw.length} bytes, ${gzipped} bytes gzipped (budget ${BUDGET})`);
if (gzipped > BUDGET) {
    console.error('over budget');
    process.exit(1);
}
