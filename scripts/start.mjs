// `npm start`: `trawl serve` (extra arguments passed on: `npm start -- --port 8080`) with the
// checkout's ./data, in this process, so Ctrl-C reaches the server directly.
import { withCheckoutData } from './checkout-data.mjs';

process.env.TRAWL_DATA_DIR = withCheckoutData(process.env).TRAWL_DATA_DIR;
const { runCli } = await import('../dist/cli/main.js');
process.exitCode = await runCli([process.argv[0], 'trawl', 'serve', ...process.argv.slice(2)]);
